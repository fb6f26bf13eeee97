"""Interop matrix of the Parquet writer: `parquet-matrix OUTDIR` writes every type x codec x nullability x
dictionary mode plus edge cases and an expected.json; every file must read back value-for-value in pyarrow,
DuckDB and polars, statistics-driven filters must return exactly the right rows, and file sizes are compared
with pyarrow writing the same data with the same settings.

Run: WAYBILL_BIN_DIR=.build/debug /root/.cache/waybill-venv/bin/python -m pytest Tests/interop/test_parquet_matrix.py
"""
import datetime as dt
import json
import math
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
SIZE_FLAG = 1.15


def matrix_binary() -> Path:
    return Path(os.environ.get("WAYBILL_BIN_DIR", REPO / ".build" / "debug")) / "parquet-matrix"


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    exe = matrix_binary()
    if not exe.exists():
        pytest.fail(f"{exe} not built: run `swift build --product parquet-matrix` (or set WAYBILL_BIN_DIR)")
    out = tmp_path_factory.mktemp("parquet-matrix")
    p = subprocess.run([str(exe), str(out)], capture_output=True)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    expected = json.loads((out / "expected.json").read_text())
    assert expected["files"], "the matrix wrote no files"
    return out, expected


# ---------- canonical values: every reader's Python objects mapped to what expected.json holds ----------

def canon(kind, v):
    if v is None:
        return None
    if kind == "date":
        return (v - dt.date(1970, 1, 1)).days if isinstance(v, dt.date) else v
    if kind == "timestamp_us":
        if isinstance(v, dt.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=dt.timezone.utc)
            return (v - EPOCH) // dt.timedelta(microseconds=1)
        return v
    if kind == "decimal4":
        return Decimal(v)
    if kind == "double":
        return float(v)
    if kind == "list":
        return [x for x in v]
    if kind == "map":
        if isinstance(v, dict):
            if set(v.keys()) == {"key", "value"} and isinstance(v["key"], list):
                return [list(kv) for kv in zip(v["key"], v["value"])]
            return [[k, x] for k, x in v.items()]
        out = []
        for e in v:
            if isinstance(e, dict):
                out.append([e["key"], e["value"]])
            else:
                out.append(list(e))
        return out
    return v


def expected_values(col):
    kind = col["kind"]
    if kind == "decimal4":
        return [None if x is None else Decimal(x) for x in col["values"]]
    return col["values"]


def same(kind, a, b):
    if kind == "double" and a is not None and b is not None:
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def read_pyarrow(path):
    # Verify page CRCs where present (the legacy_plain_dictionary_crc file carries them).
    return pq.read_table(path, page_checksum_verification=True).to_pydict()


def read_duckdb(path):
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    cur = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


def read_polars(path):
    return pl.read_parquet(path).to_dict(as_series=False)


READERS = {"pyarrow": read_pyarrow, "duckdb": read_duckdb, "polars": read_polars}


def compare_file(reader, out, f, datasets):
    """Mismatch descriptions for one file (empty when every value matches)."""
    problems = []
    try:
        got = READERS[reader](out / f["name"])
    except Exception as e:  # a reader refusing the file is the failure we are looking for
        return [f"{f['name']}: {reader} failed to read: {e!r}"[:500]]
    for col in datasets[f["dataset"]]:
        name, kind = col["name"], col["kind"]
        if name not in got:
            problems.append(f"{f['name']}: {reader} has no column {name}")
            continue
        want = expected_values(col)
        have = [canon(kind, v) for v in got[name]]
        if len(have) != len(want):
            problems.append(f"{f['name']}.{name}: {reader} read {len(have)} rows, expected {len(want)}")
            continue
        bad = [i for i, (a, b) in enumerate(zip(have, want)) if not same(kind, a, b)]
        if bad:
            i = bad[0]
            problems.append(f"{f['name']}.{name}: {reader} differs at {len(bad)} rows, first row {i}: {have[i]!r} != {want[i]!r}")
    return problems


@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_value_reads_back(matrix, reader):
    out, expected = matrix
    problems = []
    for f in expected["files"]:
        problems += compare_file(reader, out, f, expected["datasets"])
    assert not problems, "\n".join(problems[:40])


def test_metadata_as_specified(matrix):
    out, expected = matrix
    problems = []
    for f in expected["files"]:
        md = pq.ParquetFile(out / f["name"]).metadata
        if not md.created_by.startswith("waybill version "):
            problems.append(f"{f['name']}: created_by {md.created_by!r}")
        if md.num_rows != f["rows"] or md.num_row_groups != f["row_groups"]:
            problems.append(f"{f['name']}: {md.num_rows} rows / {md.num_row_groups} groups")
        kv = md.metadata or {}
        if kv.get(b"waybill.schema_version") != b"1":
            problems.append(f"{f['name']}: key-value metadata {kv!r}")
        for g in range(md.num_row_groups):
            rg = md.row_group(g)
            for c in range(rg.num_columns):
                cc = rg.column(c)
                if cc.statistics is None or cc.statistics.null_count is None:
                    problems.append(f"{f['name']} rg {g} {cc.path_in_schema}: no null_count")
                if cc.file_offset != 0:
                    problems.append(f"{f['name']} rg {g} {cc.path_in_schema}: file_offset {cc.file_offset}")
                if cc.has_dictionary_page and cc.dictionary_page_offset >= cc.data_page_offset:
                    problems.append(f"{f['name']} rg {g} {cc.path_in_schema}: dictionary after data page")
                if f["name"] == "page_index.parquet" and not (cc.has_offset_index and cc.has_column_index):
                    problems.append(f"{f['name']} rg {g} {cc.path_in_schema}: page index missing")
                if f["name"] != "page_index.parquet" and (cc.has_offset_index or cc.has_column_index):
                    problems.append(f"{f['name']} rg {g} {cc.path_in_schema}: unexpected page index")
                if "fallback" in f["name"] and cc.physical_type != "BOOLEAN":
                    if not {"PLAIN", "RLE_DICTIONARY"} <= set(cc.encodings):
                        problems.append(f"{f['name']} {cc.path_in_schema}: fallback encodings {cc.encodings}")
        if f["name"].startswith("rowgroups_"):
            n = f["rows"]
            sizes = [md.row_group(g).num_rows for g in range(md.num_row_groups)]
            if sizes != [min(1000, n - s) for s in range(0, n, 1000)]:
                problems.append(f"{f['name']}: row group sizes {sizes}")
    # DuckDB's own view of the footer: statistics are parsed and typed.
    con = duckdb.connect()
    rows = con.execute("SELECT path_in_schema, stats_min_value, stats_max_value FROM parquet_metadata(?) "
                       "WHERE path_in_schema = 'i64'", [str(out / "extremes.parquet")]).fetchall()
    if rows != [("i64", str(-2**63), str(2**63 - 1))]:
        problems.append(f"extremes.parquet: DuckDB sees i64 stats {rows}")
    assert not problems, "\n".join(problems[:40])


def sql_literal(kind, v):
    if kind == "date":
        return f"DATE '{dt.date(1970, 1, 1) + dt.timedelta(days=v)}'"
    if kind == "timestamp_us":
        return f"TIMESTAMPTZ '{(EPOCH + dt.timedelta(microseconds=v)).isoformat()}'"
    if kind == "string":
        return "'" + v.replace("'", "''") + "'"
    if kind == "decimal4":
        return f"{v}::DECIMAL(18,4)"
    return repr(v)


FILTER_KINDS = {"int", "date", "timestamp_us", "decimal4", "double", "string"}


def test_filters_with_statistics_return_exact_rows(matrix):
    """Range predicates on columns with chunk and page statistics: DuckDB (all kinds), pyarrow and polars
    (ints and strings) must return exactly the rows a scan filtered in Python returns."""
    out, expected = matrix
    problems = []
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    checked = 0
    for f in expected["files"]:
        path = str(out / f["name"])
        for col in expected["datasets"][f["dataset"]]:
            kind, name = col["kind"], col["name"]
            if kind not in FILTER_KINDS:
                continue
            vals = [v for v in expected_values(col) if v is not None]
            if not vals:
                continue
            svals = sorted(set(vals))
            for pivot in {svals[0], svals[len(svals) // 3], svals[-1]}:
                lo_want = sum(1 for v in vals if v < pivot)
                eq_want = sum(1 for v in vals if v == pivot)
                lit = sql_literal(kind, pivot if kind != "decimal4" else str(pivot))
                lo, eq = con.execute(f'SELECT count(*) FILTER (WHERE "{name}" < {lit}), 0 FROM read_parquet(?)', [path]).fetchone()
                eq = con.execute(f'SELECT count(*) FROM read_parquet(?) WHERE "{name}" = {lit}', [path]).fetchone()[0]
                checked += 1
                if (lo, eq) != (lo_want, eq_want):
                    problems.append(f"{f['name']}.{name} pivot {pivot!r}: DuckDB <:{lo} =:{eq}, expected <:{lo_want} =:{eq_want}")
                if kind in ("int", "string"):
                    t = pq.read_table(path, columns=[name], filters=[(name, "=", pivot)])
                    if t.num_rows != eq_want:
                        problems.append(f"{f['name']}.{name} = {pivot!r}: pyarrow {t.num_rows}, expected {eq_want}")
                    n = pl.scan_parquet(path).filter(pl.col(name) == pivot).select(pl.len()).collect().item()
                    if n != eq_want:
                        problems.append(f"{f['name']}.{name} = {pivot!r}: polars {n}, expected {eq_want}")
    assert checked > 100
    assert not problems, "\n".join(problems[:40])


def test_statistics_prune_row_groups(matrix, tmp_path):
    """Row groups 0 and 1 of rowgroups_2500 (ids 0..1999) are overwritten with garbage; a query for id >= 2000
    can only succeed if the reader skips them from the chunk statistics alone."""
    out, _ = matrix
    src = out / "rowgroups_2500.parquet"
    md = pq.ParquetFile(src).metadata
    assert md.num_row_groups == 3
    start, end = 4, md.row_group(2).column(0).dictionary_page_offset or md.row_group(2).column(0).data_page_offset
    data = bytearray(src.read_bytes())
    data[start:end] = b"\xff" * (end - start)
    broken = tmp_path / "pruned.parquet"
    broken.write_bytes(bytes(data))
    con = duckdb.connect()
    assert con.execute("SELECT count(*), min(id) FROM read_parquet(?) WHERE id >= 2000", [str(broken)]).fetchone() == (500, 2000)
    t = pq.read_table(broken, columns=["id"], filters=[("id", ">=", 2000)])
    assert t.num_rows == 500
    # Sanity: reading the damaged row groups does fail, so the queries above really skipped them.
    with pytest.raises(Exception):
        con.execute("SELECT sum(id) FROM read_parquet(?)", [str(broken)]).fetchall()


def pyarrow_twin(src: Path, dst: Path, f):
    s = f["settings"]
    t = pq.read_table(src)
    codec = {"uncompressed": "NONE", "snappy": "SNAPPY", "gzip": "GZIP", "zstd": "ZSTD"}[s["codec"]]
    kw = {}
    if codec in ("ZSTD", "GZIP"):
        kw["compression_level"] = s["level"]
    use_dict = s["dictionary"]
    if use_dict and s["plain_columns"]:
        use_dict = [c for c in t.column_names if c not in s["plain_columns"]]
    pq.write_table(t, dst, compression=codec, use_dictionary=use_dict, dictionary_pagesize_limit=s["dictionary_limit"],
                   row_group_size=min(s["row_group_rows"], 64 * 1024 * 1024), store_schema=False, **kw)


def test_sizes_against_pyarrow(matrix, tmp_path):
    """Ours / pyarrow size per file with the same codec, level and dictionary settings; > 1.15 is flagged."""
    out, expected = matrix
    report, flagged = [], []
    for f in expected["files"]:
        if not (f["name"].startswith("types_") or f["name"].startswith("orders_")):
            continue
        twin = tmp_path / f["name"]
        pyarrow_twin(out / f["name"], twin, f)
        ours, theirs = (out / f["name"]).stat().st_size, twin.stat().st_size
        ratio = ours / theirs
        report.append(f"{f['name']:<48} ours {ours:>10} pyarrow {theirs:>10} ratio {ratio:.3f}")
        if ratio > SIZE_FLAG:
            flagged.append(report[-1])
    text = "\n".join(report)
    (out / "size_report.txt").write_text(text + "\n")
    print("\n" + text)
    assert not flagged, "files more than 15% larger than pyarrow's:\n" + "\n".join(flagged)


@pytest.mark.parametrize("writer", ["pyarrow", "duckdb"])
def test_our_reader_decodes_foreign_files(matrix, tmp_path, writer):
    """Files written by pyarrow (format 2.6, FIXED_LEN_BYTE_ARRAY decimals, newer footer fields) and DuckDB
    go through our reader: footer, schema, statistics and every page of every column must decode."""
    out, expected = matrix
    for name, codec in [("types_zstd_optional_dictionary.parquet", "gzip"), ("nested.parquet", "zstd"),
                        ("edge_strings.parquet", "snappy"), ("types_zstd_required_plain.parquet", "none")]:
        dst = tmp_path / f"{writer}_{name}"
        if writer == "pyarrow":
            pq.write_table(pq.read_table(out / name), dst, compression=codec, write_page_index=True)
        else:
            duckdb.sql(f"COPY (SELECT * FROM '{out / name}') TO '{dst}' (FORMAT parquet, COMPRESSION {'uncompressed' if codec == 'none' else codec})")
        p = subprocess.run([str(matrix_binary()), "--inspect", str(dst), "--pages"], capture_output=True)
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        rows = next(f["rows"] for f in expected["files"] if f["name"] == name)
        text = p.stdout.decode()
        assert f"rows: {rows} in " in text, text[:400]
        assert "DATA_PAGE" in text
