"""The Spark driver against a single-process `waybill run`: Tests/spark/run.sh runs this.

Each case runs Pipelines/nightly.yaml twice, once with `waybill run` and once as Spark tasks
(`spark-submit --master local[2,2]` of Pipelines/spark/waybill_spark.py, one retry allowed
per task), and checks the datasets are the same: rows, money sums, distinct order ids and
rows per partition (DuckDB), then that Spark reads the landed datasets with partition
discovery and counts the same. Environment (set by run.sh): WAYBILL_BIN, WAYBILL_SPARK_FEED
(a folder of TPC-H flat CSV parts), SPARK_SUBMIT.
"""

import json
import os
import shutil
import subprocess

import duckdb
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAYBILL = os.environ.get("WAYBILL_BIN", "waybill")
DATASETS = ["orders", "order_lines", "fulfillment"]
MONEY = {"orders": "grand_total", "order_lines": "extended_price"}


def env_for(out, feeds=None, **extra):
    env = dict(os.environ, OUT=out, RUN_DATE="spark-test", **extra)
    if feeds:
        env["FEEDS"] = feeds
    return env


def single_run(out, sets=(), feeds=None):
    cmd = [WAYBILL, "run", "Pipelines/nightly.yaml", "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, cwd=ROOT, env=env_for(out, feeds), check=True)
    return os.path.join(out, "warehouse")


def spark_run(out, tmp, sets=(), feeds=None, tasks=4, **extra):
    report = os.path.join(tmp, "report.json")
    cmd = [os.environ.get("SPARK_SUBMIT", "spark-submit"), "--master", "local[2,2]",
           "--conf", "spark.ui.enabled=false", "--files", WAYBILL,
           "Pipelines/spark/waybill_spark.py", "Pipelines/nightly.yaml", "--tasks", str(tasks),
           "--out", os.path.join(out, "warehouse"), "--waybill", os.path.basename(WAYBILL),
           "--report", report, "--metrics", os.path.join(tmp, "metrics.prom")]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, cwd=ROOT, env=env_for(out, feeds, **extra), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]
    with open(report) as f:
        return os.path.join(out, "warehouse"), json.load(f), proc.stderr


def figures(warehouse):
    """Per dataset: rows, distinct order ids, money sum, rows per partition."""
    con = duckdb.connect()
    out = {}
    for d in DATASETS:
        glob = f"{warehouse}/{d}/**/*.parquet"
        rel = f"read_parquet('{glob}', hive_partitioning=1)"
        cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
        key = "order_id" if "order_id" in cols else cols[0]
        money = f"sum({MONEY[d]})" if d in MONEY else "0"
        rows, ids, total = con.execute(f"SELECT count(*), count(DISTINCT {key}), {money} FROM {rel}").fetchone()
        parts = sorted(con.execute(
            f"SELECT business_line, order_month, count(*) FROM {rel} GROUP BY ALL").fetchall(), key=str)
        out[d] = {"rows": rows, "ids": ids, "money": total, "partitions": parts}
    return out


def spark_counts(warehouse):
    """Spark's own reading: partition discovery over each dataset folder."""
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    try:
        out = {}
        for d in DATASETS:
            df = spark.read.parquet(f"{warehouse}/{d}")
            assert "business_line" in df.columns and "order_month" in df.columns
            out[d] = (df.count(), df.select("business_line", "order_month").distinct().count())
        return out
    finally:
        spark.stop()


def check_same(single, spark, report, tasks):
    a, b = figures(single), figures(spark)
    for d in DATASETS:
        assert b[d]["rows"] > 0, d
        assert a[d] == b[d], d
    assert [t["shard"] for t in report["tasks"]] == list(range(tasks))
    assert all(t["duration_seconds"] > 0 for t in report["tasks"])
    assert report["datasets"]["orders"]["rows"] == a["orders"]["rows"]
    # One metrics file: per line, success and orders landed over the tasks.
    with open(os.path.join(os.path.dirname(os.path.dirname(spark)), "metrics.prom")) as f:
        metrics = dict(l.rsplit(" ", 1) for l in f.read().splitlines() if l and not l.startswith("#"))
    landed = sum(float(metrics[f'waybill_line_orders_landed_total{{stage="run",line="{l}"}}'])
                 for l in ("shop", "jd", "tpch"))
    assert landed == a["orders"]["rows"]
    assert all(float(metrics[f'waybill_line_success{{stage="run",line="{l}"}}']) == 1 for l in ("shop", "jd", "tpch"))
    # Spark reads what landed and finds the same rows and partitions.
    for d, (rows, parts) in spark_counts(spark).items():
        assert rows == a[d]["rows"], d
        assert parts == len(a[d]["partitions"]), d
    # Nothing staged is left behind, and no file is listed twice.
    assert not [n for n in os.listdir(spark) if n.startswith(".waybill-spark-")]
    for d in DATASETS:
        with open(f"{spark}/{d}/_waybill_manifest.json") as f:
            paths = [x["path"] for x in json.load(f)["files"]]
        assert len(paths) == len(set(paths))
        assert all("-s" in p and "of4-" in p for p in paths)


def test_nightly_over_sample_data(tmp_path):
    single = single_run(str(tmp_path / "single"))
    spark, report, _ = spark_run(str(tmp_path / "spark"), str(tmp_path))
    check_same(single, spark, report, 4)
    # The shard state of every task was committed next to the pipeline's state.
    assert sorted(os.listdir(tmp_path / "spark" / "state")) == [f"shard-{i}-of-4" for i in range(4)]


def tpch_feeds(tmp_path):
    """FEEDS for the nightly pipeline: the sample shop and JD feeds, TPC-H in four parts."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    os.symlink(f"{ROOT}/SampleData/feeds/shop-bad.csv", feeds / "shop-bad.csv")
    os.symlink(f"{ROOT}/SampleData/archives/jd-waybill.ndjson.gz", feeds / "jd-waybill.ndjson.gz")
    parts = os.environ["WAYBILL_SPARK_FEED"]
    return str(feeds), [f"lines.tpch.inputs=[\"{parts}/*.csv\"]"]


def test_nightly_over_tpch_parts_with_a_task_failing_once(tmp_path):
    feeds, sets = tpch_feeds(tmp_path)
    single = single_run(str(tmp_path / "single"), sets, feeds)
    marker = tmp_path / "failed-once"
    spark, report, log = spark_run(str(tmp_path / "spark"), str(tmp_path), sets, feeds,
                                   WAYBILL_SPARK_FAIL_ONCE=str(marker))
    assert marker.exists(), "the injected failure did not happen"
    shard0 = next(t for t in report["tasks"] if t["shard"] == 0)
    assert shard0["attempt"] >= 1, report["tasks"]
    check_same(single, spark, report, 4)
    a = figures(single)
    assert a["orders"]["rows"] > 10000  # TPC-H scale 0.01: 15000 orders, plus the sample lines
    lines = {l["line"]: l for l in report["lines"]}
    # Every task reads the whole TPC-H feed and keeps its orders: what the others kept is counted.
    assert lines["tpch"]["tasks"] == 4
    assert lines["tpch"]["other_shards"] == 3 * lines["tpch"]["books"]["orders_out"] // 4
