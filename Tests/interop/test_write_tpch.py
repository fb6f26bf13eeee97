"""`collect | write` lands the TPC-H feeds as partitioned datasets whose row counts, money sums
and distinct order ids equal DuckDB's figures on the source (issue: Parquet writer, "Done means"),
read back by DuckDB, pyarrow and polars."""
import subprocess
from decimal import Decimal

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from conftest import ROOT, run

SHAPES = [("tpch-flat-csv", "orders_flat.csv"), ("tpch-nested-ndjson", "orders_nested.ndjson")]


@pytest.fixture(scope="module")
def source_figures(tpch_feeds):
    con = duckdb.connect()
    o = con.execute(f"""SELECT count(*), count(DISTINCT o_orderkey), sum(o_totalprice)::DECIMAL(18,2)
                        FROM read_csv('{tpch_feeds}/orders.csv')""").fetchone()
    l = con.execute(f"""SELECT count(*), sum(l_quantity)::DECIMAL(18,2), sum(l_extendedprice)::DECIMAL(18,2)
                        FROM read_csv('{tpch_feeds}/lineitem.csv')""").fetchone()
    months = con.execute(f"""SELECT strftime(o_orderdate, '%Y-%m') m, count(*) FROM read_csv('{tpch_feeds}/orders.csv')
                             GROUP BY m ORDER BY m""").fetchall()
    return {"orders": o[0], "distinct": o[1], "total": Decimal(o[2]), "lines": l[0],
            "quantity": Decimal(l[1]), "extended": Decimal(l[2]), "months": months}


@pytest.mark.parametrize("profile,feed", SHAPES)
def test_collect_write_matches_duckdb(waybill, tpch_feeds, tmp_path, source_figures, profile, feed):
    out = tmp_path / "warehouse"
    collect = subprocess.Popen([str(waybill), "collect", str(tpch_feeds / feed), "--profile",
                                str(ROOT / "Pipelines/profiles" / f"{profile}.yaml"), "--quiet"],
                               stdout=subprocess.PIPE)
    write = subprocess.run([str(waybill), "write", "--out", str(out), "--partition-by", "order_month",
                            "--batch-id", "tpch-test"], stdin=collect.stdout, capture_output=True)
    collect.stdout.close()
    assert collect.wait() == 0
    assert write.returncode == 0, write.stderr.decode()
    f = source_figures
    con = duckdb.connect()
    orders = f"read_parquet('{out}/orders/**/*.parquet', hive_partitioning=true, hive_types={{'order_month': VARCHAR}})"
    lines = f"read_parquet('{out}/order_lines/**/*.parquet', hive_partitioning=true, hive_types={{'order_month': VARCHAR}})"
    n, distinct, total = con.execute(f"SELECT count(*), count(DISTINCT order_id), sum(grand_total) FROM {orders}").fetchone()
    assert (n, distinct, Decimal(total)) == (f["orders"], f["distinct"], f["total"])
    nl, q, e = con.execute(f"SELECT count(*), sum(quantity), sum(extended_price) FROM {lines}").fetchone()
    assert (nl, Decimal(q), Decimal(e)) == (f["lines"], f["quantity"], f["extended"])
    months = con.execute(f"SELECT order_month, count(*) FROM {orders} GROUP BY ALL ORDER BY 1").fetchall()
    assert months == f["months"]
    # Every line joins to its order within the same partition.
    orphans = con.execute(f"""SELECT count(*) FROM {lines} l ANTI JOIN {orders} o
                              ON l.order_id = o.order_id AND l.order_month = o.order_month""").fetchone()[0]
    assert orphans == 0
    # pyarrow and polars agree.
    t = ds.dataset(out / "orders", format="parquet", partitioning="hive").to_table(columns=["order_id", "grand_total"])
    assert t.num_rows == f["orders"]
    assert sum(Decimal(v) for v in t.column("grand_total").to_pylist()) == f["total"]
    p = pl.scan_parquet(str(out / "order_lines" / "**" / "*.parquet"), hive_partitioning=True).select(pl.len()).collect()
    assert p.item() == f["lines"]
