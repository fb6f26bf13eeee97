"""`waybill run` against the shell pipeline of the same stages: the same datasets (read with
pyarrow and DuckDB, rows compared after sorting), the same rejects and the same books; the
dry run reads no feed; a failing business line leaves the others landed; the report's and the
metrics' counts are the datasets'."""
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, run

RULES = ROOT / "Pipelines/rules/transaction.yaml"
SAMPLE_LINES = [
    ("shop", "shop-csv", ROOT / "SampleData/feeds/shop-bad.csv"),
    ("jd", "jd-waybill-ndjson", ROOT / "SampleData/archives/jd-waybill.ndjson.gz"),
    ("tpch", "tpch-flat-csv", ROOT / "SampleData/feeds/tpch-flat-bad.csv"),
]


def pipeline_file(tmp, lines, *, state=True, extra=""):
    text = ["version: 1", "name: t", "batch_id: b1", "lines:"]
    for name, profile, feed in lines:
        text += [f"  {name}:", f"    profile: {ROOT}/Pipelines/profiles/{profile}.yaml", f"    inputs: [\"{feed}\"]"]
    text += ["transaction:", f"  rules: {RULES}"] + ([f"  state: {tmp}/run-state"] if state else [])
    text += ["output:", f"  folder: {tmp}/run", "  partition_by: [business_line, order_month]",
             f"  rejects: {tmp}/run-rejects", extra]
    path = tmp / "p.yaml"
    path.write_text("\n".join(text) + "\n")
    return path


def shell_pipeline(waybill, tmp, lines, *, state=True):
    """The same stages as shell pipelines, one per business line (as `run` does them)."""
    books = {}
    (tmp / "sh-rejects").mkdir()
    for name, profile, feed in lines:
        r = tmp / "sh-rejects"
        st = f"--state {tmp}/sh-state" if state else ""
        cmd = (f"{waybill} collect {feed} --profile {ROOT}/Pipelines/profiles/{profile}.yaml --quiet "
               f"--rejects {r}/{name}.collect.rejects.ndjson --report {r}/{name}.collect.json | "
               f"{waybill} transact --rules {RULES} {st} --quiet --rejects {r}/{name}.transact.rejects.ndjson "
               f"--report {r}/{name}.transact.json | "
               f"{waybill} write --out {tmp}/sh --partition-by business_line,order_month --mode append "
               f"--batch-id b1-{name} --quiet --rejects {r}/{name}.write.rejects.ndjson --report {r}/{name}.write.json")
        subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
        books[name] = {s: json.loads((r / f"{name}.{s}.json").read_text())["books"] for s in ("collect", "transact", "write")}
    return books


def rows(folder, dataset):
    """Every row of every data file, with the partition folder it sits in, sorted."""
    out = []
    for f in (folder / dataset).rglob("*.parquet"):
        part = str(f.parent.relative_to(folder / dataset))
        for r in pq.read_table(f).to_pylist():
            r["_partition"] = part
            out.append(json.dumps(r, sort_keys=True, default=str))
    return sorted(out)


def rejects(path, drop_position):
    out = []
    for line in path.read_text().splitlines():
        r = json.loads(line)
        if drop_position:
            for key in ("file", "member", "line", "byte_offset"):
                r.pop(key, None)
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


def run_rejects_name_the_lineage(path):
    """Inside run, a transact reject names where its order was collected from."""
    for line in path.read_text().splitlines():
        r = json.loads(line)
        op = json.loads(r["raw"])["operation"]
        assert (r["file"], r.get("member"), r["line"], r["byte_offset"]) == \
            (op["source_file"], op.get("source_member"), op["source_line"], 0), r


def compare_run_and_shell(waybill, tmp, lines, state):
    p = pipeline_file(tmp, lines, state=state)
    report = tmp / "report.json"
    run([waybill, "run", p, "--report", report, "--metrics", tmp / "run.prom", "--quiet"])
    shell_books = shell_pipeline(waybill, tmp, lines, state=state)
    for dataset in ("orders", "order_lines"):
        a, b = rows(tmp / "run", dataset), rows(tmp / "sh", dataset)
        assert len(a) > 0 and a == b, dataset
        # The same files too: one per partition and line, under the same names.
        names = lambda root: sorted(str(f.relative_to(root)) for f in (root / dataset).rglob("*.parquet"))
        assert names(tmp / "run") == names(tmp / "sh")
    for name, _, _ in lines:
        for stage in ("collect", "transact", "write"):
            f = f"{name}.{stage}.rejects.ndjson"
            # transact names its NDJSON input (stdin) in the shell and the order's feed position
            # in run (batches carry no bytes); all else is equal.
            drop = stage == "transact"
            assert rejects(tmp / "run-rejects" / f, drop) == rejects(tmp / "sh-rejects" / f, drop), f
            if drop:
                run_rejects_name_the_lineage(tmp / "run-rejects" / f)
    r = json.loads(report.read_text())
    stages = {s["stage"]: s for s in r["stages"]}
    for stage in ("collect", "transact", "write"):
        for key in ("records_in", "records_out", "orders_out", "lines_out", "rejected", "merged"):
            assert stages[stage]["books"][key] == sum(b[stage][key] for b in shell_books.values()), (stage, key)
    if state:
        assert (tmp / "run-state/orders.state").read_bytes() == (tmp / "sh-state/orders.state").read_bytes()
    return r


def test_run_equals_the_shell_pipeline_on_sample_data(waybill, tmp_path):
    r = compare_run_and_shell(waybill, tmp_path, SAMPLE_LINES, state=True)
    assert [l["line"] for l in r["lines"]] == ["shop", "jd", "tpch"] and all(l["succeeded"] for l in r["lines"])


@pytest.mark.parametrize("shape,profile,feed", [("flat", "tpch-flat-csv", "orders_flat.csv"),
                                                ("nested", "tpch-nested-ndjson", "orders_nested.ndjson")])
def test_run_equals_the_shell_pipeline_on_tpch(waybill, tmp_path, tpch_feeds, shape, profile, feed):
    # Several batches of 4096 orders: batch boundaries matter to transact's dedup, so this
    # checks that run hands transact the same batches the NDJSON reader would.
    compare_run_and_shell(waybill, tmp_path, [("tpch", profile, tpch_feeds / feed)], state=False)


def test_report_and_metrics_match_the_datasets(waybill, tmp_path):
    p = pipeline_file(tmp_path, SAMPLE_LINES)
    report, prom = tmp_path / "report.json", tmp_path / "run.prom"
    run([waybill, "run", p, "--report", report, "--metrics", prom, "--quiet"])
    r = json.loads(report.read_text())
    con = duckdb.connect()
    for dataset, key in (("orders", "orders_out"), ("order_lines", "lines_out")):
        glob = f"{tmp_path}/run/{dataset}/**/*.parquet"
        total = con.execute(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning=true)").fetchone()[0]
        assert r["books"][key] == total
        parts = dict(con.execute(f"""SELECT regexp_extract(filename, '/{dataset}/(.*)/[^/]*$', 1), count(*)
            FROM read_parquet('{glob}', filename=true) GROUP BY ALL""").fetchall())
        assert {p["partition"]: p["rows"] for p in r["partitions"] if p["dataset"] == dataset} == parts
    landed = con.execute(f"""SELECT business_line, count(*) FROM read_parquet('{tmp_path}/run/orders/**/*.parquet',
        hive_partitioning=true) GROUP BY ALL""").fetchall()
    assert {k or "": v for k, v in landed} == r["by_business_line"] | {}
    assert sum(l["orders_landed"] for l in r["lines"]) == r["books"]["orders_out"]
    m = {}
    for family in text_string_to_metric_families(prom.read_text()):
        for s in family.samples:
            m[(s.name, tuple(sorted(s.labels.items())))] = s.value
    assert m[("waybill_dataset_rows_written_total", (("dataset", "orders"), ("stage", "run")))] == r["books"]["orders_out"]
    assert m[("waybill_dataset_rows_written_total", (("dataset", "orders"), ("stage", "write")))] == r["books"]["orders_out"]
    assert m[("waybill_run_success", (("stage", "run"),))] == 1
    for line in ("shop", "jd", "tpch"):
        assert m[("waybill_line_success", (("line", line), ("stage", "run")))] == 1
    assert sum(v for (n, l), v in m.items() if n == "waybill_rule_hits_total" and ("stage", "transact") in l) > 0


def test_failing_line_leaves_the_others_landed(waybill, tmp_path):
    lines = [("shop", "shop-csv", tmp_path / "missing.csv")] + SAMPLE_LINES[1:]
    p = pipeline_file(tmp_path, lines)
    report = tmp_path / "report.json"
    proc = run([waybill, "run", p, "--report", report], check=False)
    assert proc.returncode == 66, proc.stderr.decode()
    err = proc.stderr.decode()
    assert "line shop: FAILED (exit 66)" in err and "1 of 3 business line(s) failed (shop); 2 landed" in err
    r = json.loads(report.read_text())
    assert [(l["line"], l["succeeded"]) for l in r["lines"]] == [("shop", False), ("jd", True), ("tpch", True)]
    assert r["succeeded"] is False and r["exit_code"] == 66
    landed = duckdb.connect().execute(f"""SELECT source, count(*) FROM read_parquet('{tmp_path}/run/orders/**/*.parquet',
        hive_partitioning=true) GROUP BY ALL ORDER BY 1""").fetchall()
    assert [s for s, _ in landed] == ["jd", "tpch"]
    # An unreadable feed fails its line the same way (skipped as root, who reads anything).
    if os.geteuid() != 0:
        bad = tmp_path / "unreadable.csv"
        bad.write_text("x\n")
        bad.chmod(0)
        p = pipeline_file(tmp_path, [("shop", "shop-csv", bad)] + SAMPLE_LINES[1:2])
        assert run([waybill, "run", p, "--set", f"output.folder={tmp_path}/run2"], check=False).returncode == 66


def test_past_its_threshold_a_line_fails_with_65(waybill, tmp_path):
    p = pipeline_file(tmp_path, SAMPLE_LINES)
    proc = run([waybill, "run", p, "--set", "lines.shop.max_reject_rate=0.001", "--quiet"], check=False)
    assert proc.returncode == 65
    batches = {f.name.split("-c0")[0] for f in (tmp_path / "run/orders").rglob("*.parquet")}
    assert batches == {"part-b1-jd", "part-b1-tpch"}


def test_dry_run_reads_no_feed(waybill, tmp_path):
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)  # opening it for reading would block: the dry run must not
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01not,a\"feed\n" * 10)  # would be all rejects if read
    p = pipeline_file(tmp_path, [("fifo", "tpch-flat-csv", fifo), ("bad", "tpch-flat-csv", garbage)])
    proc = subprocess.run([str(waybill), "run", p, "--dry-run"], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert str(fifo) in out and f"{garbage}  {garbage.stat().st_size} bytes" in out
    assert "stages: collect -> transact -> write" in out
    assert not (tmp_path / "run").exists() and not (tmp_path / "run-rejects").exists()


def test_validate_prints_every_problem_with_its_position(waybill, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("lines:\n  a:\n    profile: nope.yaml\n    inputs: ${NOPE_UNSET}\noutput:\n  folder: o\n  codec: x\n")
    proc = run([waybill, "validate", p], check=False)
    assert proc.returncode == 78
    err = proc.stderr.decode()
    assert f"{p}:3:14: profile of line 'a'" in err
    assert f"{p}:4:13: lines.a.inputs: environment variable NOPE_UNSET is not set" in err
    assert f"{p}:7:3: unknown key 'codec' in output" in err
    assert run([waybill, "validate", ROOT / "Pipelines/nightly.yaml"]).returncode == 0
    assert run([waybill, "run", p], check=False).returncode == 78
