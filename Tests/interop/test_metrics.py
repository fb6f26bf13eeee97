"""--metrics output parses with the Prometheus client library's text parser (the same grammar
node_exporter's textfile collector accepts) and agrees with the books and the JSON report."""
import json

from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, run


def samples(path):
    out = {}
    for family in text_string_to_metric_families(path.read_text()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_collect_metrics_parse_and_balance(waybill, tmp_path):
    prom, report = tmp_path / "collect.prom", tmp_path / "collect.json"
    run([waybill, "collect", ROOT / "SampleData/feeds/shop-bad.csv", "--profile", ROOT / "Pipelines/profiles/shop-csv.yaml",
         "--metrics", prom, "--report", report, "--quiet"])
    m = samples(prom)
    st = (("stage", "collect"),)
    rin, rout = m[("waybill_records_in_total", st)], m[("waybill_records_out_total", st)]
    rej, merged = m[("waybill_records_rejected_total", st)], m[("waybill_records_merged_total", st)]
    assert rin == rout + rej + merged and rej > 0
    by_reason = sum(v for (name, labels), v in m.items() if name == "waybill_rejects_total")
    assert by_reason == rej
    assert m[("waybill_run_success", st)] == 1
    assert ("waybill_last_success_timestamp_seconds", st) in m
    assert not any(n.endswith(".tmp") or n.startswith(".") for n in (p.name for p in tmp_path.iterdir()))
    r = json.loads(report.read_text())
    assert r["books"]["records_in"] == rin and r["books"]["balanced"] is True
    assert sum(r["by_business_line"].values()) == r["books"]["orders_out"]
    assert sum(r["rejects_by_reason"].values()) == rej


def test_failed_run_keeps_last_success(waybill, tmp_path):
    prom = tmp_path / "collect.prom"
    profile = ROOT / "Pipelines/profiles/shop-csv.yaml"
    run([waybill, "collect", ROOT / "SampleData/feeds/shop.csv", "--profile", profile, "--metrics", prom, "--quiet"])
    first = samples(prom)[("waybill_last_success_timestamp_seconds", (("stage", "collect"),))]
    p = run([waybill, "collect", ROOT / "SampleData/feeds/shop-bad.csv", "--profile", profile, "--metrics", prom,
             "--max-reject-rate", "0.001", "--quiet"], check=False)
    assert p.returncode == 65
    m = samples(prom)
    assert m[("waybill_run_success", (("stage", "collect"),))] == 0
    assert m[("waybill_run_exit_code", (("stage", "collect"),))] == 65
    assert m[("waybill_last_success_timestamp_seconds", (("stage", "collect"),))] == first


def test_write_metrics_count_partitions(waybill, tmp_path):
    unified = run([waybill, "collect", ROOT / "SampleData/feeds/jd-waybill.ndjson",
                   "--profile", ROOT / "Pipelines/profiles/jd-waybill-ndjson.yaml", "--quiet"]).stdout
    prom, report = tmp_path / "write.prom", tmp_path / "write.json"
    run([waybill, "write", "--out", tmp_path / "wh", "--partition-by", "business_line", "--batch-id", "m1",
         "--metrics", prom, "--report", report, "--quiet"], stdin=unified)
    m = samples(prom)
    orders = len(unified.splitlines())
    per_partition = sum(v for (name, labels), v in m.items()
                        if name == "waybill_partition_rows_written_total" and ("dataset", "orders") in labels)
    assert per_partition == orders
    assert m[("waybill_dataset_rows_written_total", (("dataset", "orders"), ("stage", "write")))] == orders
    r = json.loads(report.read_text())
    assert r["books"]["orders_out"] == orders and r["books"]["balanced"]
    assert {p["partition"].split("=")[0] for p in r["partitions"]} == {"business_line"}


def test_transact_metrics_count_rule_hits(waybill, tmp_path):
    unified = run([waybill, "collect", ROOT / "SampleData/feeds/shop.csv",
                   "--profile", ROOT / "Pipelines/profiles/shop-csv.yaml", "--quiet"]).stdout
    prom = tmp_path / "transact.prom"
    p = run([waybill, "transact", "--rules", ROOT / "Pipelines/rules/transaction.yaml", "--metrics", prom, "--quiet"],
            stdin=unified)
    m = samples(prom)
    st = (("stage", "transact"),)
    assert m[("waybill_records_in_total", st)] == len(unified.splitlines())
    assert m[("waybill_orders_out_total", st)] == len(p.stdout.splitlines())
    hits = {dict(labels)["rule"]: v for (name, labels), v in m.items() if name == "waybill_rule_hits_total"}
    assert hits["T8-transition"] >= 1  # the sample shop feed has orders shipped straight from CREATED
    rej = m[("waybill_records_rejected_total", st)]
    assert rej == sum(v for (name, labels), v in m.items() if name == "waybill_rejects_total")
