"""`collect | fulfill | write` on the TPC-H feeds: each lineitem becomes a child shipment
carried by the carrier of its ship mode, promised by its commit date and delivered on its
receipt date, so the late-delivery share the plan reports equals DuckDB's
(l_receiptdate > l_commitdate) on the source (issue: fulfillment layer, "Done means")."""
import json
import os
import subprocess

import duckdb
import pytest

from conftest import ROOT, run

CARRIERS = {"AIR": "AIRLINK", "REG AIR": "AIRLINK", "RAIL": "RAILWAY", "SHIP": "OCEAN", "TRUCK": "ROADHAUL",
            "MAIL": "POST", "FOB": "BUYER"}


@pytest.fixture(scope="module")
def planned(waybill, tpch_feeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("fulfill")
    collect = subprocess.Popen([str(waybill), "collect", str(tpch_feeds / "orders_flat.csv"), "--profile",
                                str(ROOT / "Pipelines/profiles/tpch-flat-csv.yaml"), "--quiet"], stdout=subprocess.PIPE)
    fulfill = subprocess.run([str(waybill), "fulfill", "--rules", str(ROOT / "Pipelines/rules/tpch-fulfillment.yaml"),
                              "--report", str(out / "report.json")], stdin=collect.stdout, capture_output=True)
    collect.stdout.close()
    assert collect.wait() == 0
    assert fulfill.returncode == 0, fulfill.stderr.decode()
    (out / "planned.ndjson").write_bytes(fulfill.stdout)
    run([waybill, "write", "--out", out / "warehouse", "--datasets", "orders,order_lines,fulfillment", "--batch-id", "ff",
         "--partition-by", "order_month"], stdin=fulfill.stdout)
    return out, fulfill.stderr.decode()


def duck_late(tpch_feeds):
    con = duckdb.connect()
    return con.execute(f"""SELECT count(*) FILTER (WHERE l_receiptdate > l_commitdate), count(*)
                           FROM read_csv('{tpch_feeds}/lineitem.csv')""").fetchone()


def test_late_delivery_share_equals_duckdb(planned, tpch_feeds):
    out, stderr = planned
    late, lines = duck_late(tpch_feeds)
    children = [o for o in map(json.loads, (out / "planned.ndjson").read_text().splitlines()) if "parent_order_id" in o]
    assert len(children) == lines
    flagged = sum(1 for c in children if c["shipping"]["late_delivery"])
    assert (flagged, len(children)) == (late, lines)
    assert f"late_delivery={late}/{lines}" in stderr  # the warehouse's SLA line on stderr
    report = json.loads((out / "report.json").read_text())
    assert report["books"]["balanced"] and report["books"]["records_in"] == report["books"]["records_out"]
    hits = {h["rule"]: h["hits"] for h in report["rule_hits"]}
    assert hits["F13.late_delivery"] == late and hits["F10.feed_promise"] == lines


def test_dataset_carriers_and_shares_match_duckdb(planned, tpch_feeds):
    out, _ = planned
    con = duckdb.connect()
    by_mode = dict(con.execute(f"""SELECT l_shipmode, count(*) FILTER (WHERE l_receiptdate > l_commitdate)
                                   FROM read_csv('{tpch_feeds}/lineitem.csv') GROUP BY ALL""").fetchall())
    expected = {}
    for mode, n in by_mode.items():
        expected[CARRIERS[mode]] = expected.get(CARRIERS[mode], 0) + n
    got = dict(con.execute(f"""SELECT carrier, sum(late_delivery::INT) FROM
        read_parquet('{out}/warehouse/fulfillment/**/*.parquet', hive_partitioning = true) GROUP BY ALL""").fetchall())
    assert got == expected
    # Every row states why, and names its parent; the parents' child counts add up.
    missing = con.execute(f"""SELECT count(*) FROM read_parquet('{out}/warehouse/fulfillment/**/*.parquet',
        hive_partitioning = true) WHERE plan_reasons['service'] IS NULL OR plan_reasons['promise_feed'] IS NULL
        OR parent_order_id IS NULL""").fetchone()[0]
    assert missing == 0
    rows = con.execute(f"""SELECT count(*) FROM read_parquet('{out}/warehouse/fulfillment/**/*.parquet',
        hive_partitioning = true)""").fetchone()[0]
    children = con.execute(f"""SELECT sum(child_count) FROM read_parquet('{out}/warehouse/orders/**/*.parquet',
        hive_partitioning = true) WHERE child_count IS NOT NULL""").fetchone()[0]
    assert rows == children == duck_late(tpch_feeds)[1]


def test_orders_hold_each_customer_order_once_and_lines_name_their_shipment(planned, tpch_feeds):
    # Children land in fulfillment/ only: orders/ sums count each customer order once, and
    # every parent line names the child that ships it (a join, not a second copy of the line).
    out, _ = planned
    con = duckdb.connect()
    orders, total = con.execute(f"""SELECT count(*), sum(o_totalprice)::DECIMAL(18,2) FROM read_csv('{tpch_feeds}/orders.csv')""").fetchone()
    got = con.execute(f"""SELECT count(*), sum(grand_total)::DECIMAL(18,2), count(*) FILTER (WHERE parent_order_id IS NOT NULL)
        FROM read_parquet('{out}/warehouse/orders/**/*.parquet', hive_partitioning = true)""").fetchone()
    assert got == (orders, total, 0)
    late, lines = duck_late(tpch_feeds)
    joined = con.execute(f"""SELECT count(*), count(DISTINCT f.order_id), sum(f.late_delivery::INT)
        FROM read_parquet('{out}/warehouse/order_lines/**/*.parquet', hive_partitioning = true) l
        JOIN read_parquet('{out}/warehouse/fulfillment/**/*.parquet', hive_partitioning = true) f
          ON l.child_order_id = f.order_id AND l.order_id = f.parent_order_id""").fetchone()
    assert joined == (lines, lines, late)


def test_run_writes_what_the_chain_writes(planned, waybill, tpch_feeds, tmp_path):
    # `waybill run` hands the fulfill stage's batches straight to the writer, and its children
    # carry only the fields the writer reads of them (Fulfiller.childFields): the datasets
    # must hold what `collect | fulfill | write` lands, row for row.
    out, _ = planned
    run([waybill, "run", ROOT / "Pipelines/bench/tpch-flat.yaml", "--set", f"output.folder={tmp_path}",
         "--set", f"fulfillment.rules={ROOT}/Pipelines/rules/tpch-fulfillment.yaml",
         "--set", "output.datasets=[orders,order_lines,fulfillment]", "--quiet", "--report", tmp_path / "run.json"],
        env={**os.environ, "FEEDS": str(tpch_feeds)})
    con = duckdb.connect()
    # The run's books and business-line counts are of customer orders (those in orders/);
    # the planned children are counted in fulfillment/'s rows.
    orders = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/orders/**/*.parquet')").fetchone()[0]
    report = json.loads((tmp_path / "run.json").read_text())
    assert report["books"]["orders_out"] == orders == sum(report["by_business_line"].values())
    assert report["lines"][0]["orders_landed"] == orders
    assert report["datasets"]["fulfillment"]["rows"] == duck_late(tpch_feeds)[1]
    # Lineage differs by design (batch ids); everything else must not.
    lineage = {"batch_id", "ingested_at"}
    for ds in ("fulfillment", "orders", "order_lines"):
        cols = [c for (c,) in con.execute(f"""SELECT column_name FROM (DESCRIBE SELECT * FROM
            read_parquet('{tmp_path}/{ds}/**/*.parquet', hive_partitioning = true))""").fetchall() if c not in lineage]
        sel = ", ".join(f'"{c}"' for c in cols)
        a = f"SELECT {sel} FROM read_parquet('{tmp_path}/{ds}/**/*.parquet', hive_partitioning = true)"
        b = f"SELECT {sel} FROM read_parquet('{out}/warehouse/{ds}/**/*.parquet', hive_partitioning = true)"
        counts = con.execute(f"SELECT (SELECT count(*) FROM ({a})), (SELECT count(*) FROM ({b}))").fetchone()
        assert counts[0] == counts[1] > 0, ds
        diff = con.execute(f"SELECT count(*) FROM (({a}) EXCEPT ALL ({b})) UNION ALL SELECT count(*) FROM (({b}) EXCEPT ALL ({a}))").fetchall()
        assert diff == [(0,), (0,)], ds
