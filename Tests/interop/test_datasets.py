"""Interop tests of `waybill write` / `waybill inspect`: datasets written by the Swift CLI are
read back with pyarrow, DuckDB and polars and compared value by value with the input.

Run: WAYBILL_BIN_DIR=.build/debug /root/.cache/waybill-venv/bin/python -m pytest Tests/interop/test_datasets.py
"""

import datetime as dt
import json
import os
import random
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("WAYBILL_BIN_DIR", ".build/debug"))
if not BIN.is_absolute():
    BIN = ROOT / BIN
WAYBILL = str(BIN / "waybill")

UTC = dt.timezone.utc
EPOCH = dt.date(1970, 1, 1)

# Partition values that need escaping, are non-ASCII, or are null/empty.
AWKWARD = ["a/b", "50%", "k=v", "12:30", "cold chain", "é 北京", "x#y?z*", "__dunder", None, "", "express"]


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """Reference MurmurHash3 x86_32, to check bucket folders independently of the Swift code."""
    c1, c2, h, n = 0xCC9E2D51, 0x1B873593, seed, len(data)
    rounded = n - (n & 3)
    for i in range(0, rounded, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        h ^= (k * c2) & 0xFFFFFFFF
        h = ((h << 13) | (h >> 19)) & 0xFFFFFFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    k, tail = 0, n & 3
    if tail == 3:
        k ^= data[rounded + 2] << 16
    if tail >= 2:
        k ^= data[rounded + 1] << 8
    if tail >= 1:
        k ^= data[rounded]
        k = (k * c1) & 0xFFFFFFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFFFFFF
        h ^= (k * c2) & 0xFFFFFFFF
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def bucket(s: str, n: int) -> int:
    return (murmur3_32(s.encode()) & 0x7FFFFFFF) % n


def make_orders(n, seed=7, lines=True, business_lines=AWKWARD):
    """Unified orders as Python dicts (expected values) plus their NDJSON form."""
    rnd = random.Random(seed)
    orders = []
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 70))
        created = dt.datetime(day.year, day.month, day.day, rnd.randrange(24), rnd.randrange(60), rnd.randrange(60),
                              rnd.randrange(1_000_000), tzinfo=UTC)
        cents = rnd.randrange(-10_000_000, 10_000_000_000)
        o = {
            "order_id": f"shop:{i}",
            "source": "shop",
            "external_order_id": str(i),
            "order_type": "sale",
            "business_line": business_lines[i % len(business_lines)],
            "status": rnd.choice(["PAID", "SHIPPED", "CANCELLED"]),
            "created_at": created,
            "order_date": day,
            "version": rnd.choice([None, 1, 2**40, -5]),
            "is_test": rnd.choice([None, True, False]),
            "consignee_city": rnd.choice(["Berlin", "北京", "São Paulo", None, ""]),
            "package_count": rnd.choice([None, 0, 3, 2**31 - 1]),
            "discount_codes": rnd.choice([None, [], ["A"], ["B", "", "ÉTÉ"]]),
            "grand_total": Decimal(cents) / Decimal(10_000),
            "taxes_included": rnd.choice([True, False]),
            "shipped_at": rnd.choice([None, created + dt.timedelta(days=1)]),
            "tags": rnd.choice([None, ["vip"], ["a", "b", "c"]]),
            "ext": rnd.choice([None, {}, {"shop.note": "héllo", "shop.gift": "yes"}]),
            "lines": [],
        }
        if lines:
            for ln in range(rnd.randrange(0, 4)):
                o["lines"].append({
                    "line_no": ln + 1,
                    "sku": f"SKU-{rnd.randrange(100)}",
                    "quantity": Decimal(rnd.randrange(1, 50_000)) / Decimal(100),
                    "unit_price": Decimal(rnd.randrange(0, 10**9)) / Decimal(10_000),
                    "taxable": rnd.choice([None, True]),
                    "ship_date": rnd.choice([None, day + dt.timedelta(days=2)]),
                    "ext": {"shop.color": rnd.choice(["red", "vert", "青"])},
                })
        orders.append(o)
    return orders


GROUPS = {
    "consignee_city": "logistics", "package_count": "logistics", "discount_codes": "marketing",
    "grand_total": "finance", "taxes_included": "finance", "shipped_at": "shipping", "tags": "operation",
}


def js(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return [js(x) for x in v]
    if isinstance(v, dict):
        return {k: js(x) for k, x in v.items()}
    return v


def ndjson(orders):
    out = []
    for o in orders:
        doc = {}
        for k, v in o.items():
            if v is None or k == "lines":
                continue
            if k in GROUPS:
                doc.setdefault(GROUPS[k], {})[k] = js(v)
            else:
                doc[k] = js(v)
        doc["lines"] = [{k: js(v) for k, v in ln.items() if v is not None} for ln in o["lines"]]
        out.append(json.dumps(doc, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode()


def run_write(out, data, *args, env=None, check=True):
    p = subprocess.run([WAYBILL, "write", "--out", str(out), "--quiet", *args], input=data,
                       capture_output=True, env={**os.environ, **(env or {})}, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"waybill write failed ({p.returncode}): {p.stderr.decode()}")
    return p


def norm(v):
    """Reader values -> comparable Python values."""
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(UTC)
    if isinstance(v, list) and v and isinstance(v[0], tuple):
        return dict(v)
    if isinstance(v, list) and v and isinstance(v[0], dict) and set(v[0]) == {"key", "value"}:
        return {e["key"]: e["value"] for e in v}
    return v


def expected_value(o, k, partitioned=True):
    v = o[k]
    if partitioned and k == "business_line" and v == "":
        return None  # empty partition values read back as null, like Spark
    return v


ORDER_COLS = ["order_id", "business_line", "status", "created_at", "order_date", "version", "is_test",
              "consignee_city", "package_count", "discount_codes", "grand_total", "taxes_included", "shipped_at",
              "tags", "ext"]


def check_orders(rows, orders, partitioned=True):
    by_id = {r["order_id"]: r for r in rows}
    assert len(by_id) == len(rows) == len(orders)
    for o in orders:
        r = by_id[o["order_id"]]
        for k in ORDER_COLS:
            got, want = norm(r[k]), expected_value(o, k, partitioned)
            if k == "ext" and want == {} and got in ({}, []):
                continue
            if k in ("discount_codes", "tags") and want == [] and got == []:
                continue
            assert got == want, f"{o['order_id']}.{k}: {got!r} != {want!r}"


PART_SCHEMA = pa.schema([("business_line", pa.string()), ("order_date", pa.date32())])


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    out = tmp_path_factory.mktemp("awkward")
    orders = make_orders(400)
    run_write(out, ndjson(orders), "--partition-by", "business_line,order_date", "--batch-id", "aw1")
    return out, orders


def test_pyarrow_reads_every_value(awkward):
    out, orders = awkward
    d = ds.dataset(out / "orders", format="parquet", partitioning=ds.partitioning(PART_SCHEMA, flavor="hive"))
    t = d.to_table()
    assert t.schema.field("grand_total").type == pa.decimal128(18, 4)
    assert t.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert t.schema.field("ext").type == pa.map_(pa.string(), pa.string())
    assert all(not Path(f).name.startswith(("_", ".")) for f in d.files)
    check_orders(t.to_pylist(), orders)


def test_duckdb_reads_every_value(awkward):
    out, orders = awkward
    con = duckdb.connect()
    rel = con.sql(f"""select * from read_parquet('{out}/orders/**/*.parquet', hive_partitioning = true,
                      hive_types = {{'business_line': VARCHAR, 'order_date': DATE}})""")
    rows = [dict(zip(rel.columns, r)) for r in rel.fetchall()]
    check_orders(rows, orders)


def test_polars_reads_every_value(awkward):
    out, orders = awkward
    df = pl.read_parquet(f"{out}/orders/**/*.parquet", hive_partitioning=True,
                         hive_schema={"business_line": pl.String, "order_date": pl.Date})
    rows = df.to_dicts()
    for r in rows:
        if isinstance(r["ext"], list):
            r["ext"] = {e["key"]: e["value"] for e in r["ext"]}
    check_orders(rows, orders)


def test_order_lines_round_trip(awkward):
    out, orders = awkward
    want = {}
    for o in orders:
        for ln in o["lines"]:
            want[(o["order_id"], ln["line_no"])] = (o, ln)
    con = duckdb.connect()
    rel = con.sql(f"""select * from read_parquet('{out}/order_lines/**/*.parquet', hive_partitioning = true,
                      hive_types = {{'business_line': VARCHAR, 'order_date': DATE}})""")
    rows = [dict(zip(rel.columns, r)) for r in rel.fetchall()]
    assert len(rows) == len(want)
    for r in rows:
        o, ln = want[(r["order_id"], r["line_no"])]
        assert r["business_line"] == expected_value(o, "business_line")
        assert r["order_date"] == o["order_date"]
        for k in ("sku", "quantity", "unit_price", "taxable", "ship_date"):
            assert r[k] == ln[k], (k, r[k], ln[k])
        assert r["ext"] == ln["ext"]


def test_partition_folders_are_escaped_like_spark(awkward):
    out, _ = awkward
    names = {p.name for p in (out / "orders").iterdir() if p.is_dir()}
    for expected in ["business_line=a%2Fb", "business_line=50%25", "business_line=k%3Dv", "business_line=12%3A30",
                     "business_line=cold%20chain", "business_line=é%20北京", "business_line=x%23y%3Fz%2A",
                     "business_line=__dunder", "business_line=__HIVE_DEFAULT_PARTITION__"]:
        assert expected in names
    assert not any(n.startswith(("_", ".")) for n in names)


def test_duckdb_filter_on_statistics_column(awkward):
    out, orders = awkward
    con = duckdb.connect()
    limit = Decimal("250000.0000")
    got = sorted(r[0] for r in con.sql(f"""select order_id from read_parquet('{out}/orders/**/*.parquet',
        hive_partitioning = true) where grand_total > {limit} and order_date between DATE '2024-01-10'
        and DATE '2024-02-10'""").fetchall())
    want = sorted(o["order_id"] for o in orders
                  if o["grand_total"] > limit and dt.date(2024, 1, 10) <= o["order_date"] <= dt.date(2024, 2, 10))
    assert got == want and len(want) > 0


def test_markers_and_manifest(awkward):
    out, orders = awkward
    root = out / "orders"
    assert (root / "_SUCCESS").exists() and (root / "_waybill_manifest.json").exists()
    m = json.loads((root / "_waybill_manifest.json").read_text())
    assert m["schema_version"] == "4" and m["dataset"] == "orders" and m["batch_id"] == "aw1"
    assert [k["type"] for k in m["partition_keys"]] == ["VARCHAR", "DATE"]
    assert sum(f["rows"] for f in m["files"]) == len(orders)
    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))
    assert sorted(f["path"] for f in m["files"]) == on_disk
    # Nothing but partition folders and the two markers under the root; no staging left in out.
    assert sorted(p.name for p in root.iterdir() if not p.is_dir()) == ["_SUCCESS", "_waybill_manifest.json"]
    assert not any(p.name.startswith(".waybill-staging") for p in out.iterdir())
    kv = pq.read_metadata(root / m["files"][0]["path"]).metadata
    assert kv[b"waybill.schema_version"] == b"4" and kv[b"waybill.dataset"] == b"orders"


def test_inspect_checks_manifest(awkward, tmp_path):
    out, _ = awkward
    p = subprocess.run([WAYBILL, "inspect", str(out), "--json"], capture_output=True)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert {r["dataset"] for r in res} == {"orders", "order_lines"} and all(not r["problems"] for r in res)
    # A copy with one file removed and one changed must fail with 65 and say what differs.
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    files = sorted((copy / "orders").rglob("*.parquet"))
    files[0].unlink()
    data = bytearray(files[1].read_bytes())
    data[20] ^= 0xFF
    files[1].write_bytes(bytes(data))
    p = subprocess.run([WAYBILL, "inspect", str(copy / "orders")], capture_output=True, text=True)
    assert p.returncode == 65
    assert "missing: " in p.stdout and "changed: " in p.stdout


def test_thousands_of_bucket_partitions(tmp_path):
    orders = make_orders(6000, seed=11, lines=False, business_lines=["x"])
    # A 1 MiB budget forces the spill path (many partitions, none with a row group's worth).
    p = subprocess.run([WAYBILL, "write", "--out", str(tmp_path), "--partition-by", "bucket(3000, order_id)",
                        "--batch-id", "k1", "--max-open-files", "16", "--memory-budget", "1MiB",
                        "--datasets", "orders"], input=ndjson(orders), capture_output=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert b"spilled 0 bytes" not in p.stderr and b"spilled " in p.stderr
    files = list((tmp_path / "orders").rglob("*.parquet"))
    assert len(files) == len({f.parent for f in files})  # one file per partition
    con = duckdb.connect()
    got = dict(con.sql(f"""select order_id, order_id_bucket from read_parquet('{tmp_path}/orders/**/*.parquet',
        hive_partitioning = true, hive_types = {{'order_id_bucket': INTEGER}})""").fetchall())
    assert len(got) == 6000
    for o in orders:
        assert got[o["order_id"]] == bucket(o["order_id"], 3000)
    assert len({v for v in got.values()}) > 2000
    t = ds.dataset(tmp_path / "orders", format="parquet", partitioning="hive").to_table()
    assert t.num_rows == 6000


@pytest.mark.parametrize("codec", ["zstd", "snappy", "gzip", "none"])
def test_codecs(tmp_path, codec):
    orders = make_orders(50, seed=3)
    run_write(tmp_path, ndjson(orders), "--compression", codec, "--partition-by", "order_month", "--batch-id", "c")
    files = list((tmp_path / "orders").rglob("*.parquet"))
    assert files and all(f.name.endswith(("." + codec if codec != "none" else "-c000") + ".parquet") for f in files)
    t = ds.dataset(tmp_path / "orders", format="parquet", partitioning="hive").to_table()
    check_orders(t.to_pylist(), orders, partitioned=False)


def snapshot(out):
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and ".waybill-staging" not in str(p)}


def test_modes_and_rerun(tmp_path):
    a = make_orders(100, seed=1)
    run_write(tmp_path, ndjson(a), "--partition-by", "order_month", "--batch-id", "b1")
    p = run_write(tmp_path, ndjson(a), "--partition-by", "order_month", "--batch-id", "b2", check=False)
    assert p.returncode == 64 and b"already holds data" in p.stderr
    # Rerun of b1 with half the orders replaces b1's files: no duplicates.
    run_write(tmp_path, ndjson(a[:50]), "--partition-by", "order_month", "--batch-id", "b1", "--mode", "append")
    n = duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/orders/**/*.parquet')").fetchall()[0][0]
    assert n == 50
    # Another batch appends.
    b = make_orders(30, seed=2)
    for o in b:
        o["order_id"] = "other:" + o["order_id"]
    run_write(tmp_path, ndjson(b), "--partition-by", "order_month", "--batch-id", "b3", "--mode", "append")
    n = duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/orders/**/*.parquet')").fetchall()[0][0]
    assert n == 80
    # overwrite-partitions: only January is replaced.
    jan = [o for o in make_orders(10, seed=9) if o["order_date"].month == 1]
    run_write(tmp_path, ndjson(jan), "--partition-by", "order_month", "--batch-id", "b4", "--mode",
              "overwrite-partitions")
    rows = duckdb.sql(f"""select order_month, count(*) from read_parquet('{tmp_path}/orders/**/*.parquet',
        hive_partitioning = true) group by 1 order by 1""").fetchall()
    assert dict(rows)["2024-01"] == len(jan)
    others = [o for o in a[:50] + b if o["order_date"].month != 1]
    assert sum(c for m, c in rows if m != "2024-01") == len(others)
    p = subprocess.run([WAYBILL, "inspect", str(tmp_path)], capture_output=True)
    assert p.returncode == 0, p.stdout


def test_failure_before_commit_leaves_dataset_unchanged(tmp_path):
    a = make_orders(60, seed=4)
    run_write(tmp_path, ndjson(a), "--partition-by", "order_month", "--batch-id", "b1")
    before = snapshot(tmp_path)
    p = run_write(tmp_path, ndjson(make_orders(60, seed=5)), "--partition-by", "order_month", "--batch-id", "b2",
                  "--mode", "overwrite-partitions", env={"WAYBILL_TEST_FAILPOINT": "before-commit"}, check=False)
    assert p.returncode != 0
    assert snapshot(tmp_path) == before
    assert any(x.name.startswith(".waybill-staging-b2") for x in tmp_path.iterdir())
    # Readers of the dataset root never see the staging folder.
    assert duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/orders/**/*.parquet')").fetchall()[0][0] == 60
    assert pl.read_parquet(f"{tmp_path}/orders/**/*.parquet").height == 60
    # The next run removes it.
    run_write(tmp_path, ndjson(make_orders(5, seed=6)), "--batch-id", "b3", "--mode", "append",
              "--partition-by", "order_month")
    assert not any(x.name.startswith(".waybill-staging") for x in tmp_path.iterdir())


def test_failure_during_commit_is_completed_by_next_run(tmp_path):
    run_write(tmp_path, ndjson(make_orders(60, seed=4)), "--partition-by", "order_month", "--batch-id", "b1")
    new = make_orders(40, seed=8)
    p = run_write(tmp_path, ndjson(new), "--partition-by", "order_month", "--batch-id", "b2", "--mode",
                  "overwrite-partitions", env={"WAYBILL_TEST_FAILPOINT": "after-renames:1"}, check=False)
    assert p.returncode != 0
    assert not (tmp_path / "orders" / "_SUCCESS").exists()
    p = subprocess.run([WAYBILL, "inspect", str(tmp_path / "orders")], capture_output=True)
    assert p.returncode == 65
    extra = make_orders(1, seed=99)
    extra[0]["order_id"], extra[0]["order_date"] = "late:1", dt.date(2023, 6, 1)
    run_write(tmp_path, ndjson(extra), "--batch-id", "b3", "--mode", "append", "--partition-by", "order_month")
    assert (tmp_path / "orders" / "_SUCCESS").exists()
    months = {o["order_date"].strftime("%Y-%m") for o in new}
    rows = duckdb.sql(f"""select order_id from read_parquet('{tmp_path}/orders/**/*.parquet', hive_partitioning = true)
        where order_month in ({",".join(repr(m) for m in months)})""").fetchall()
    assert sorted(r[0] for r in rows) == sorted(o["order_id"] for o in new)
    assert subprocess.run([WAYBILL, "inspect", str(tmp_path)], capture_output=True).returncode == 0


def test_killed_writer_leaves_dataset_unchanged(tmp_path):
    run_write(tmp_path, ndjson(make_orders(30, seed=4)), "--partition-by", "order_month", "--batch-id", "b1")
    before = snapshot(tmp_path)
    data = ndjson(make_orders(3000, seed=12))
    proc = subprocess.Popen([WAYBILL, "write", "--out", str(tmp_path), "--partition-by", "order_month",
                             "--batch-id", "b2", "--mode", "overwrite-partitions", "--quiet"],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(data[: len(data) // 2])
    proc.stdin.flush()
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot(tmp_path) == before
    assert duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/orders/**/*.parquet')").fetchall()[0][0] == 30
    run_write(tmp_path, ndjson(make_orders(1, seed=99)), "--batch-id", "b3", "--mode", "append",
              "--partition-by", "order_month")
    assert not any(x.name.startswith(".waybill-staging") for x in tmp_path.iterdir())
