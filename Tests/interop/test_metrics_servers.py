"""Waybill's metrics read by the real servers, started here on loopback: node_exporter's textfile
collector serves the --metrics file, and a Prometheus Pushgateway receives --push (job and
instance grouping, last-success kept across a failed run). The binaries come from Debian's
prometheus-node-exporter and prometheus-pushgateway packages (.ci/install-deps.sh installs them);
the tests skip, saying so, only when they are not installed."""
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, run

SHOP = ROOT / "SampleData/feeds/shop.csv"
SHOP_BAD = ROOT / "SampleData/feeds/shop-bad.csv"
SHOP_PROFILE = ROOT / "Pipelines/profiles/shop-csv.yaml"


def find_binary(*names):
    for name in names:
        path = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/sbin:/usr/local/bin")
        if path:
            return path
    pytest.skip(f"{' / '.join(names)} not installed (Debian package {names[0]}; .ci/install-deps.sh installs it)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url, timeout=3.0):
    """Every sample at `url` as {(name, sorted labels): value}."""
    with urllib.request.urlopen(url, timeout=timeout) as r:
        text = r.read().decode()
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def start_server(request, args, url, log_path):
    """Starts a server, waits (at most 15 s) until `url` answers, and stops it after the test."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop():
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()

    request.addfinalizer(stop)
    deadline = time.monotonic() + 15
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{args[0]} exited {proc.returncode}: {log_path.read_text(errors='replace')}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return proc
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            if time.monotonic() > deadline:
                raise AssertionError(f"{args[0]} did not answer on {url} within 15 s")
            time.sleep(0.1)


@pytest.fixture
def node_exporter(request, tmp_path):
    """node_exporter with only the textfile collector, reading tmp_path/textfile; yields (dir, url)."""
    binary = find_binary("prometheus-node-exporter", "node_exporter")
    folder = tmp_path / "textfile"
    folder.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    start_server(request, [binary, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
                           "--collector.textfile", f"--collector.textfile.directory={folder}"],
                 url, tmp_path / "node_exporter.log")
    return folder, url


@pytest.fixture
def pushgateway(request, tmp_path):
    """A Pushgateway on a free loopback port; yields its base URL."""
    binary = find_binary("prometheus-pushgateway", "pushgateway")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    start_server(request, [binary, f"--web.listen-address=127.0.0.1:{port}"], base + "/metrics",
                 tmp_path / "pushgateway.log")
    return base


def test_node_exporter_serves_the_metrics_file(waybill, node_exporter, tmp_path):
    folder, url = node_exporter
    prom, report = folder / "waybill-collect.prom", tmp_path / "collect.json"
    run([waybill, "collect", SHOP_BAD, "--profile", SHOP_PROFILE, "--metrics", prom, "--report", report, "--quiet"])
    m = scrape(url)
    r = json.loads(report.read_text())
    st = (("stage", "collect"),)
    assert m[("node_textfile_scrape_error", ())] == 0
    assert ("node_textfile_mtime_seconds", (("file", str(prom)),)) in m or \
        ("node_textfile_mtime_seconds", (("file", prom.name),)) in m
    assert m[("waybill_records_in_total", st)] == r["books"]["records_in"]
    assert m[("waybill_records_rejected_total", st)] == r["books"]["rejected"] > 0
    assert m[("waybill_orders_out_total", st)] == r["books"]["orders_out"]
    for reason, n in r["rejects_by_reason"].items():
        assert m[("waybill_rejects_total", (("reason", reason), ("stage", "collect")))] == n
    assert m[("waybill_run_success", st)] == 1
    assert m[("waybill_last_success_timestamp_seconds", st)] > 1.7e9


def pushed(base, name, job, instance, **labels):
    m = scrape(base + "/metrics")
    want = tuple(sorted({"job": job, "instance": instance, **labels}.items()))
    return m.get((name, want))


def test_push_shows_the_run_and_a_failure_keeps_last_success(waybill, pushgateway, tmp_path):
    report = tmp_path / "ok.json"
    run([waybill, "collect", SHOP, "--profile", SHOP_PROFILE, "--push", pushgateway, "--push-instance", "etl-test",
         "--report", report, "--quiet"])
    r = json.loads(report.read_text())
    key = dict(job="waybill_collect", instance="etl-test", stage="collect")
    assert pushed(pushgateway, "waybill_records_in_total", **key) == r["books"]["records_in"]
    assert pushed(pushgateway, "waybill_orders_out_total", **key) == r["books"]["orders_out"]
    assert pushed(pushgateway, "waybill_run_success", **key) == 1
    first = pushed(pushgateway, "waybill_last_success_timestamp_seconds", **key)
    assert first is not None and first > 1.7e9

    p = run([waybill, "collect", SHOP_BAD, "--profile", SHOP_PROFILE, "--push", pushgateway,
             "--push-instance", "etl-test", "--max-reject-rate", "0.001", "--quiet"], check=False)
    assert p.returncode == 65, p.stderr.decode()
    assert pushed(pushgateway, "waybill_run_success", **key) == 0
    assert pushed(pushgateway, "waybill_run_exit_code", **key) == 65
    assert pushed(pushgateway, "waybill_last_success_timestamp_seconds", **key) == first

    run([waybill, "collect", SHOP, "--profile", SHOP_PROFILE, "--push", pushgateway, "--push-instance", "etl-test",
         "--quiet"])
    assert pushed(pushgateway, "waybill_last_success_timestamp_seconds", **key) > first
    assert pushed(pushgateway, "waybill_run_exit_code", **key) == 0


def test_push_job_and_default_instance(waybill, pushgateway, tmp_path):
    unified = run([waybill, "collect", SHOP, "--profile", SHOP_PROFILE, "--quiet"]).stdout
    run([waybill, "write", "--out", tmp_path / "wh", "--batch-id", "p1", "--push", pushgateway + "/",
         "--push-job", "nightly orders", "--quiet"], stdin=unified)
    host = socket.gethostname()
    rows = pushed(pushgateway, "waybill_dataset_rows_written_total", job="nightly orders", instance=host,
                  stage="write", dataset="orders")
    assert rows == len(unified.splitlines())


def test_pushgateway_down_still_lands_the_data(waybill, tmp_path):
    unified = run([waybill, "collect", SHOP, "--profile", SHOP_PROFILE, "--quiet"]).stdout
    prom = tmp_path / "write.prom"
    started = time.monotonic()
    p = run([waybill, "write", "--out", tmp_path / "wh", "--batch-id", "down", "--metrics", prom,
             "--push", f"http://127.0.0.1:{free_port()}", "--push-timeout", "2", "--quiet"], stdin=unified, check=False,
            timeout=30)
    assert time.monotonic() - started < 20
    assert p.returncode == 75, p.stderr.decode()
    assert "push failed:" in p.stderr.decode()
    assert (tmp_path / "wh/orders/_SUCCESS").exists()
    m = {(s.name, tuple(sorted(s.labels.items()))): s.value
         for f in text_string_to_metric_families(prom.read_text()) for s in f.samples}
    assert m[("waybill_run_success", (("stage", "write"),))] == 1


def test_push_to_a_server_that_never_answers_is_bounded(waybill, tmp_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts connections in the kernel, never answers
        port = silent.getsockname()[1]
        started = time.monotonic()
        p = run([waybill, "collect", SHOP, "--profile", SHOP_PROFILE, "--push", f"http://127.0.0.1:{port}",
                 "--push-timeout", "1", "--quiet"], check=False, timeout=30)
        elapsed = time.monotonic() - started
    assert p.returncode == 75, p.stderr.decode()
    assert "push failed:" in p.stderr.decode()
    assert p.stdout.count(b"\n") > 0  # the orders were still written
    assert elapsed < 15
