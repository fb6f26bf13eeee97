"""Encryption at rest of the PII columns (docs/encryption.md): DuckDB, pyarrow and polars read
an encrypted dataset without the key (clear columns equal to an unencrypted write, PII columns
binary); no plaintext name, phone, email or street of the input appears in any byte the write
leaves behind (dataset folder, rejects, stderr, metrics, report); `waybill decrypt` gives back
the unencrypted write; a wrong key is refused."""
import base64
import json
import os
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from conftest import ROOT, run

PII = ["consignee_name", "consignee_phone", "consignee_email", "consignee_street",
       "consignor_name", "consignor_phone", "consignor_street"]
FEEDS = [("shop-csv", "shop.csv"), ("jd-waybill-ndjson", "jd-waybill.ndjson"), ("tpch-flat-csv", "tpch-flat.csv")]
RULES = "version: 1\npii:\n  hash: true\n  salt_env: WAYBILL_PII_SALT\nrules: []\n"


def key_file(path: Path, key_id: str) -> Path:
    path.write_text(f"# test key\n{key_id} {base64.b64encode(os.urandom(32)).decode()}\n")
    path.chmod(0o600)
    return path


def unified(waybill, tmp: Path, profile: str, feed: str) -> Path:
    """The feed collected and through transact's PII hashing: unified NDJSON with hash columns."""
    (tmp / "rules.yaml").write_text(RULES)
    raw = run([waybill, "collect", ROOT / "SampleData/feeds" / feed, "--profile",
               ROOT / "Pipelines/profiles" / f"{profile}.yaml", "--quiet"]).stdout
    out = run([waybill, "transact", "--rules", tmp / "rules.yaml", "--quiet"], stdin=raw,
              env={**os.environ, "WAYBILL_PII_SALT": "salt"}).stdout
    path = tmp / "unified.ndjson"
    path.write_bytes(out)
    values = sorted(plaintexts(path))
    if values:
        # A malformed line holding PII: its reject must not carry it when a key is given.
        path.write_bytes(out + b'{"order_id": "broken", "logistics": {"consignee_name": ' + json.dumps(values[0]).encode() + b"\n")
    return path


def plaintexts(ndjson: Path) -> set:
    """Every PII value of the input (6+ bytes, so a chance match in binary data is negligible)."""
    values = set()
    for line in ndjson.read_text().splitlines():
        try:
            o = json.loads(line)
        except json.JSONDecodeError:
            continue  # the planted malformed line repeats a value of a valid one
        for group in o.values():
            if isinstance(group, dict):
                for k in PII:
                    v = group.get(k)
                    if isinstance(v, str) and len(v.encode()) >= 6:
                        values.add(v)
    return values


def write(waybill, src: Path, out: Path, tmp: Path, key: Path | None, tag: str):
    args = [waybill, "write", "--out", out, "--partition-by", "order_month", "--compression", "none",
            "--batch-id", "b1", "--rejects", tmp / f"{tag}.rejects.ndjson", "--metrics", tmp / f"{tag}.prom",
            "--report", tmp / f"{tag}.report.json", src]
    if key:
        args += ["--key-file", key]
    p = run(args)
    (tmp / f"{tag}.stderr").write_bytes(p.stderr)
    return p


def table(root: Path, columns=None):
    t = ds.dataset(root / "orders", format="parquet", partitioning="hive").to_table(columns=columns)
    return t.sort_by("order_id")


@pytest.fixture(scope="module", params=FEEDS, ids=[f for _, f in FEEDS])
def landed(request, waybill, tmp_path_factory):
    profile, feed = request.param
    tmp = tmp_path_factory.mktemp(profile)
    src = unified(waybill, tmp, profile, feed)
    key = key_file(tmp / "key", "k2026q4")
    write(waybill, src, tmp / "clear", tmp, None, "clear")
    write(waybill, src, tmp / "enc", tmp, key, "enc")
    return {"tmp": tmp, "src": src, "key": key, "clear": tmp / "clear", "enc": tmp / "enc", "feed": feed}


def test_readers_without_the_key(landed):
    clear, enc = landed["clear"], landed["enc"]
    a, b = table(clear), table(enc)
    assert a.num_rows == b.num_rows > 0
    others = [c for c in a.column_names if c not in PII]
    assert a.select(others).equals(b.select(others))
    for c in PII:
        assert str(b.schema.field(c).type) == "binary"
        assert str(a.schema.field(c).type) == "string"
    assert str(b.schema.field("consignee_phone_hash").type) == "string"
    glob = f"{enc}/orders/**/*.parquet"
    con = duckdb.connect()
    n, ids, types = con.execute(f"""SELECT count(*), count(DISTINCT order_id), typeof(any_value(consignee_name))
                                     FROM read_parquet('{glob}', hive_partitioning=true)""").fetchone()
    assert (n, ids) == (a.num_rows, len(set(a.column("order_id").to_pylist())))
    assert types == "BLOB"
    p = pl.read_parquet(glob, hive_partitioning=True)
    assert p.schema["consignee_name"] == pl.Binary and p.schema["order_id"] == pl.String
    assert sorted(p["order_id"].to_list()) == sorted(a.column("order_id").to_pylist())
    lines_a = ds.dataset(clear / "order_lines", format="parquet", partitioning="hive").to_table()
    lines_b = ds.dataset(enc / "order_lines", format="parquet", partitioning="hive").to_table()
    assert lines_a.sort_by([("order_id", "ascending"), ("line_no", "ascending")]).equals(
        lines_b.sort_by([("order_id", "ascending"), ("line_no", "ascending")]))


def test_no_plaintext_anywhere(landed):
    tmp, values = landed["tmp"], plaintexts(landed["src"])
    if landed["feed"].startswith("tpch"):
        assert not values  # the TPC-H profiles map no personal fields
        return
    assert len(values) > 50

    def blobs(root: Path, tag: str):
        files = [p for p in root.rglob("*") if p.is_file()]
        files += [tmp / f"{tag}.{s}" for s in ("rejects.ndjson", "prom", "report.json", "stderr")]
        return [(p, p.read_bytes()) for p in files if p.exists()]

    # The control: the same grep finds the values in the unencrypted, uncompressed write.
    clear = b"".join(b for _, b in blobs(landed["clear"], "clear"))
    assert sum(v.encode() in clear for v in values) > len(values) // 2
    assert (tmp / "enc.rejects.ndjson").read_bytes().count(b'"code":"json_invalid"') == 1
    for path, data in blobs(landed["enc"], "enc"):
        found = [v for v in values if v.encode() in data]
        assert not found, f"{path} holds plaintext PII: {found[:3]}"


def test_decrypt_gives_back_the_clear_write(landed, waybill):
    out = landed["tmp"] / "decrypted"
    run([waybill, "decrypt", "--dataset", landed["enc"], "--out", out, "--key-file", landed["key"], "--quiet"])
    assert table(out).equals(table(landed["clear"]))
    # Same layout: the same partition folders and file names.
    rel = lambda r: sorted(str(p.relative_to(r)) for p in r.rglob("*.parquet"))
    assert rel(out) == rel(landed["enc"])


def test_wrong_key_is_refused(landed, waybill):
    tmp = landed["tmp"]
    if landed["feed"].startswith("tpch"):
        pytest.skip("no encrypted values to fail on")
    same_id = key_file(tmp / "wrong", "k2026q4")
    p = run([waybill, "decrypt", "--dataset", landed["enc"], "--out", tmp / "w1", "--key-file", same_id], check=False)
    assert p.returncode == 65 and b"does not authenticate" in p.stderr
    other = key_file(tmp / "other", "other")
    p = run([waybill, "decrypt", "--dataset", landed["enc"], "--out", tmp / "w2", "--key-file", other], check=False)
    assert p.returncode == 78
    assert not (tmp / "w1" / "orders").exists() and not (tmp / "w2" / "orders").exists()
    loose = key_file(tmp / "loose", "k2026q4")
    loose.chmod(0o644)
    p = run([waybill, "decrypt", "--dataset", landed["enc"], "--out", tmp / "w3", "--key-file", loose], check=False)
    assert p.returncode == 78 and b"chmod 600" in p.stderr


def test_rekey_through_the_environment_key(landed, waybill, tmp_path):
    """Rotation: rekey to a new key file, then the old key fails and the new one decrypts."""
    import shutil
    work = tmp_path / "ds"
    shutil.copytree(landed["enc"], work)
    new = key_file(tmp_path / "new", "k2027q1")
    old_b64 = landed["key"].read_text().split()[-1]
    env = {**os.environ, "WAYBILL_KEY": old_b64, "WAYBILL_KEY_ID": "k2026q4"}
    run([waybill, "rekey", "--dataset", work, "--new-key-file", new, "--quiet"], env=env)
    p = run([waybill, "decrypt", "--dataset", work, "--out", tmp_path / "x", "--key-file", landed["key"]], check=False)
    assert p.returncode == 78  # the files now name the new key id (even where every PII value is null)
    run([waybill, "decrypt", "--dataset", work, "--out", tmp_path / "y", "--key-file", new, "--quiet"])
    assert table(tmp_path / "y").equals(table(landed["clear"]))
