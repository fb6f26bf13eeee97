"""Interop tests of `waybill compact`, `waybill tier` and `waybill restore`: several `waybill write`
runs over the TPC-H feed with changed versions are folded, aged into a cold location and brought
back, and DuckDB and pyarrow check every step (row counts and content per partition).

Run: WAYBILL_BIN_DIR=.build/debug /root/.cache/waybill-venv/bin/python -m pytest Tests/interop/test_lifecycle.py
"""

import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from conftest import run

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "Pipelines" / "profiles" / "tpch-flat-csv.yaml"
ORDERS = 1000
HIVE = "hive_partitioning = true, hive_types = {'order_month': VARCHAR}"


def orders_sql(root: Path) -> str:
    return f"read_parquet('{root}/orders/**/*.parquet', {HIVE})"


def per_partition(root: Path, dataset: str = "orders") -> dict:
    """order_month -> (rows, content hash) as DuckDB computes them (independent of Waybill's hash)."""
    if not any((root / dataset).glob("**/*.parquet")):
        return {}
    q = f"""
        SELECT order_month, count(*),
               sum(hash(order_id, {'version, grand_total, status, created_at, tags, ext' if dataset == 'orders'
                                   else 'line_no, quantity, extended_price, ship_date, ext'}))::HUGEINT
        FROM read_parquet('{root}/{dataset}/**/*.parquet', {HIVE})
        GROUP BY ALL"""
    return {m: (n, h) for m, n, h in duckdb.sql(q).fetchall()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, waybill, tpch_feeds):
    """Three NDJSON runs: all orders (no version), a third of them at version 2 with a new total
    and one line, a tenth at version 3 moved to another month, plus an older replay (version 1)."""
    d = tmp_path_factory.mktemp("lifecycle")
    r1 = run([waybill, "collect", tpch_feeds / "orders_flat.csv", "--profile", PROFILE]).stdout
    # The first ORDERS orders of the feed, whatever its scale: enough for dozens of months, and
    # quick with a debug build.
    lines = r1.splitlines()[:ORDERS]
    r1 = b"\n".join(lines) + b"\n"
    rows = [json.loads(l) for l in lines]
    r2, r3 = [], []
    for i, r in enumerate(rows):
        if i % 3 == 0:
            v = json.loads(json.dumps(r))
            v["version"] = 2
            v["finance"]["grand_total"] = f"{i}.25"
            v["lines"] = v["lines"][:1]
            r2.append(v)
        if i % 10 == 0:
            v = json.loads(json.dumps(r))
            v["version"] = 3
            v["order_date"] = "1999-01-15"
            v["finance"]["grand_total"] = f"{i}.75"
            r3.append(v)
        if i % 10 == 5:
            v = json.loads(json.dumps(r))
            v["version"] = 1
            v["finance"]["grand_total"] = "0.01"
            r3.append(v)
    paths = []
    for name, content in (("r1", r1.decode().splitlines()), ("r2", [json.dumps(x) for x in r2]), ("r3", [json.dumps(x) for x in r3])):
        p = d / f"{name}.ndjson"
        p.write_text("\n".join(content) + "\n")
        paths.append(p)
    expected = {}
    for run_rows in (rows, r2, r3):
        for r in run_rows:
            v = r.get("version") or -1
            if r["order_id"] not in expected or v >= expected[r["order_id"]][0]:
                expected[r["order_id"]] = (v, r["finance"]["grand_total"], len(r.get("lines") or []))
    return d, paths, expected, len(rows) + len(r2) + len(r3)


def land(waybill, runs, out: Path):
    d, paths, _, _ = runs
    for i, p in enumerate(paths):
        run([waybill, "write", "--quiet", "--out", out, "--partition-by", "order_month", "--mode", "append",
             "--batch-id", f"2024010{i + 1}T000000Z-run{i + 1}", p])


def test_compact_folds_versions_and_is_idempotent(waybill, runs, tmp_path):
    _, _, expected, total_rows = runs
    out = tmp_path / "w"
    land(waybill, runs, out)
    assert duckdb.sql(f"SELECT count(*) FROM {orders_sql(out)}").fetchall()[0][0] == total_rows
    run([waybill, "compact", "--dataset", out, "--quiet"])
    got = duckdb.sql(f"""SELECT o.order_id, coalesce(o.version, -1), o.grand_total::VARCHAR,
                                (SELECT count(*) FROM read_parquet('{out}/order_lines/**/*.parquet', {HIVE}) l
                                 WHERE l.order_id = o.order_id)
                         FROM {orders_sql(out)} o""").fetchall()
    assert len(got) == len(expected) == len({g[0] for g in got})
    for oid, version, total, lines in got:
        v, t, n = expected[oid]
        assert version == v, oid
        assert float(total) == float(t), oid
        assert lines == n, oid
    # Version 3 moved its orders to 1999-01; pyarrow reads the same rows with the declared schema.
    part = ds.partitioning(pa.schema([("order_month", pa.string())]), flavor="hive")
    t = ds.dataset(out / "orders", format="parquet", partitioning=part).to_table()
    assert t.num_rows == len(expected)
    assert sum(1 for m in t.column("order_month").to_pylist() if m == "1999-01") == sum(1 for e in expected.values() if e[0] == 3)
    # The history holds every landed version of the rewritten partitions, each once.
    hist = duckdb.sql(f"SELECT count(*), count(DISTINCT (order_id, coalesce(version, -1), grand_total)) FROM "
                      f"read_parquet('{out}/history/orders/**/*.parquet', {HIVE})").fetchall()[0]
    assert hist[0] == hist[1] and hist[0] <= total_rows and hist[0] >= total_rows - len(expected)
    # A second compaction changes nothing.
    manifest = (out / "orders" / "_waybill_manifest.json").read_bytes()
    files = sorted(p.name for p in (out / "orders").glob("**/*.parquet"))
    p = run([waybill, "compact", "--dataset", out])
    assert b"0 partition(s) rewritten" in p.stderr
    assert (out / "orders" / "_waybill_manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in (out / "orders").glob("**/*.parquet")) == files
    run([waybill, "inspect", out])


@pytest.mark.parametrize("pack", [False, True])
def test_tier_and_restore_round_trip(waybill, runs, tmp_path, pack):
    out, cold = tmp_path / "w", tmp_path / "cold"
    land(waybill, runs, out)
    before = {d: per_partition(out, d) for d in ("orders", "order_lines")}
    # 1996-01-01 minus 90 days: months up to 1995-09 are old.
    args = [waybill, "tier", "--dataset", out, "--older-than", "90d", "--to", cold, "--now", "1996-01-01"]
    run(args + (["--pack", "tar"] if pack else []))
    old = {m for m in before["orders"] if m <= "1995-09"}
    assert old and set(per_partition(out)) == set(before["orders"]) - old
    manifest = json.loads((cold / "_waybill_cold_manifest.json").read_text())
    assert {e["partition"] for e in manifest["entries"]} == {f"order_month={m}" for m in old}
    if not pack:
        # The cold location is itself a Hive dataset: DuckDB reads exactly the moved rows there.
        cold_parts = per_partition(cold)
        assert cold_parts == {m: before["orders"][m] for m in old}
    else:
        assert not list(cold.glob("orders/**/*.parquet"))
        assert all(e["archive"].endswith(".tar") for e in manifest["entries"])
    run([waybill, "inspect", out])
    # Restore one month, then the rest: nothing lost, nothing doubled.
    one = sorted(old)[0]
    run([waybill, "restore", "--from", cold, "--dataset", out, "--partition", f"order_month={one}"])
    assert per_partition(out)[one] == before["orders"][one]
    run([waybill, "restore", "--from", cold, "--dataset", out])
    for d in ("orders", "order_lines"):
        assert per_partition(out, d) == before[d], d
    assert json.loads((cold / "_waybill_cold_manifest.json").read_text())["entries"] == []
    run([waybill, "inspect", out])


@pytest.mark.parametrize("renames", [1, 5])
def test_reader_mid_tier_sees_whole_partitions(waybill, runs, tmp_path, renames):
    """A tier killed after N renames of its commit: DuckDB sees each partition whole or not at all,
    and the next run finishes the move."""
    out, cold = tmp_path / "w", tmp_path / "cold"
    land(waybill, runs, out)
    before = per_partition(out)
    args = [waybill, "tier", "--dataset", out, "--older-than", "90d", "--to", cold, "--now", "1996-01-01"]
    p = run(args, check=False, env={**os.environ, "WAYBILL_TEST_FAILPOINT": f"after-renames:{renames}"})
    assert p.returncode == 74
    mid = per_partition(out)
    for m, v in mid.items():
        assert v == before[m], m  # never a partial partition
    # The next run on the folder replays the journal, then finds nothing more to move.
    p = run(args)
    old = {m for m in before if m <= "1995-09"}
    assert set(per_partition(out)) == set(before) - old
    entries = json.loads((cold / "_waybill_cold_manifest.json").read_text())["entries"]
    assert sorted(e["partition"] for e in entries if e["dataset"] == "orders") == sorted(f"order_month={m}" for m in old)
    assert sum(e["file"]["rows"] for e in entries if e["dataset"] == "orders") == sum(before[m][0] for m in old)
    assert not [n for n in os.listdir(cold) if n.startswith(".waybill-staging-")]
    assert not [n for n in os.listdir(out) if n.startswith(".waybill-staging-")]
