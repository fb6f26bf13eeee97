"""`collect` on the TPC-H feeds maps every order and line with no rejects, and its totals equal
DuckDB's on the same files (issue: foundation, "Done means")."""
import json
from decimal import Decimal

import duckdb
import pytest

from conftest import ROOT, run

SHAPES = [("tpch-flat-csv", "orders_flat.csv"), ("tpch-nested-ndjson", "orders_nested.ndjson")]


def duckdb_figures(feeds):
    con = duckdb.connect()
    o = con.execute(f"SELECT count(*), sum(o_totalprice)::DECIMAL(18,2) FROM read_csv('{feeds}/orders.csv')").fetchone()
    l = con.execute(f"SELECT count(*), sum(l_quantity)::DECIMAL(18,2) FROM read_csv('{feeds}/lineitem.csv')").fetchone()
    return {"orders": o[0], "grand_total": Decimal(o[1]), "lines": l[0], "quantity": Decimal(l[1])}


@pytest.mark.parametrize("profile,feed", SHAPES)
def test_collect_totals_equal_duckdb(waybill, tpch_feeds, tmp_path, profile, feed):
    rejects = tmp_path / "rejects.ndjson"
    p = run([waybill, "collect", tpch_feeds / feed, "--profile", ROOT / "Pipelines/profiles" / f"{profile}.yaml",
             "--rejects", rejects])
    orders = lines = 0
    total = quantity = Decimal(0)
    ids = set()
    for raw in p.stdout.splitlines():
        o = json.loads(raw)
        orders += 1
        ids.add(o["order_id"])
        total += Decimal(o["finance"]["grand_total"])
        for line in o.get("lines", []):
            lines += 1
            quantity += Decimal(line["quantity"])
    assert rejects.read_bytes() == b"", "TPC-H feeds must collect with no rejects"
    expected = duckdb_figures(tpch_feeds)
    assert orders == len(ids) == expected["orders"]
    assert lines == expected["lines"]
    assert total == expected["grand_total"]
    assert quantity == expected["quantity"]
    assert b"books balance" in p.stderr
