"""The reference job a user would otherwise write (the same as ../shared/bench/duckdb-job.py):
DuckDB converts a TPC-H order feed into orders/ and order_lines/ datasets, Hive-partitioned by
order month, ZSTD. Usage: duckdb_job.py FEED(.ndjson|.csv) OUTDIR [THREADS]"""
import os
import shutil
import sys

import duckdb

src, out = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
con = duckdb.connect()
con.execute(f"SET threads={threads}")
con.execute("SET preserve_insertion_order=false")
order_cols = """o_orderkey AS order_id, o_custkey AS customer_id, o_orderstatus AS status,
  o_totalprice AS grand_total, o_orderdate AS order_date, o_orderpriority AS priority,
  o_clerk AS clerk, o_comment AS note, strftime(o_orderdate, '%Y-%m') AS order_month"""
opts = "FORMAT parquet, PARTITION_BY (order_month), COMPRESSION zstd"
if src.endswith(".ndjson"):
    con.execute(f"CREATE VIEW f AS SELECT * FROM read_json('{src}', format='newline_delimited')")
    con.execute(f"COPY (SELECT {order_cols} FROM f) TO '{out}/orders' ({opts})")
    con.execute(f"""COPY (SELECT o_orderkey AS order_id, strftime(o_orderdate, '%Y-%m') AS order_month,
        unnest(items, recursive := true) FROM f) TO '{out}/order_lines' ({opts})""")
else:
    con.execute(f"CREATE VIEW f AS SELECT * FROM read_csv('{src}')")
    con.execute(f"COPY (SELECT DISTINCT ON (o_orderkey) {order_cols} FROM f) TO '{out}/orders' ({opts})")
    con.execute(f"""COPY (SELECT o_orderkey AS order_id, strftime(o_orderdate, '%Y-%m') AS order_month,
        l_linenumber, l_partkey, l_suppkey, l_quantity, l_extendedprice, l_discount, l_tax, l_returnflag,
        l_linestatus, l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode, l_comment FROM f)
        TO '{out}/order_lines' ({opts})""")
