"""Makes the two TPC-H-derived order feeds Waybill's tests and benchmarks use.

Usage: make_feeds.py SCALE OUTDIR

Generates TPC-H `orders` and `lineitem` at SCALE with tpchgen-cli, then derives with DuckDB:
  OUTDIR/orders_flat.csv       one row per order line, order fields repeated (shop-export shape)
  OUTDIR/orders_nested.ndjson  one order per line, its lines nested in "items" (API-export shape)
both ordered by order key. Needs the Python environment made by .ci/install-deps.sh.
Reuses OUTDIR when both files already exist for the same scale.
"""
import os
import subprocess
import sys

import duckdb


def make_feeds(scale: str, out: str) -> None:
    stamp = os.path.join(out, ".scale")
    flat, nested = os.path.join(out, "orders_flat.csv"), os.path.join(out, "orders_nested.ndjson")
    if os.path.exists(flat) and os.path.exists(nested) and os.path.exists(stamp) and open(stamp).read() == scale:
        return
    os.makedirs(out, exist_ok=True)
    tpchgen = os.path.join(os.path.dirname(sys.executable), "tpchgen-cli")
    subprocess.run([tpchgen, "csv", "-s", scale, "--tables", "orders,lineitem", f"--output-dir={out}"],
                   check=True, stdout=subprocess.DEVNULL)
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute(f"CREATE VIEW o AS SELECT * FROM read_csv('{out}/orders.csv')")
    con.execute(f"CREATE VIEW l AS SELECT * FROM read_csv('{out}/lineitem.csv')")
    con.execute(f"""COPY (SELECT o.*, l.* EXCLUDE (l_orderkey) FROM o JOIN l ON o_orderkey = l_orderkey
        ORDER BY o_orderkey, l_linenumber) TO '{flat}' (HEADER)""")
    con.execute(f"""COPY (SELECT o.*, list(struct_pack(linenumber := l_linenumber, partkey := l_partkey,
        suppkey := l_suppkey, quantity := l_quantity, extendedprice := l_extendedprice, discount := l_discount,
        tax := l_tax, returnflag := l_returnflag, linestatus := l_linestatus, shipdate := l_shipdate,
        commitdate := l_commitdate, receiptdate := l_receiptdate, shipinstruct := l_shipinstruct,
        shipmode := l_shipmode, comment := l_comment) ORDER BY l_linenumber) AS items
      FROM o JOIN l ON o_orderkey = l_orderkey GROUP BY ALL ORDER BY o_orderkey)
      TO '{nested}' (FORMAT json)""")
    with open(stamp, "w") as f:
        f.write(scale)


if __name__ == "__main__":
    make_feeds(sys.argv[1], sys.argv[2])
