"""Cost of encryption at rest: `waybill write` of the same unified NDJSON with and without a
key, alternately, medians of N runs (wall and CPU seconds, output bytes).

    ~/.cache/waybill-venv/bin/python Benchmarks/encryption_bench.py --orders 100000 --bin .build/release
"""
import argparse
import base64
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=str(ROOT / ".build/release"))
    a = ap.parse_args()
    waybill = str(Path(a.bin) / "waybill")
    with tempfile.TemporaryDirectory(prefix="waybill-enc-bench-") as tmp:
        tmp = Path(tmp)
        subprocess.run([waybill, "sample", "--orders", str(a.orders), "--shape", "shop-csv", "--seed", "9",
                        "--out", tmp / "shop.csv"], check=True)
        with open(tmp / "u.ndjson", "wb") as out:
            subprocess.run([waybill, "collect", tmp / "shop.csv", "--profile",
                            ROOT / "Pipelines/profiles/shop-csv.yaml", "--quiet"], check=True, stdout=out)
        key = tmp / "key"
        key.write_text(f"bench {base64.b64encode(os.urandom(32)).decode()}\n")
        key.chmod(0o600)
        rows = sum(1 for _ in open(tmp / "u.ndjson", "rb"))
        results = {"clear": [], "encrypted": []}
        sizes = {}
        for _ in range(a.runs):
            for mode in results:
                out = tmp / mode
                shutil.rmtree(out, ignore_errors=True)
                cmd = [waybill, "write", "--out", out, "--partition-by", "order_month", "--quiet", tmp / "u.ndjson"]
                if mode == "encrypted":
                    cmd += ["--key-file", key]
                results[mode].append(timed([str(c) for c in cmd]))
                sizes[mode] = sum(p.stat().st_size for p in (out / "orders").rglob("*.parquet"))
        print(f"{rows} unified orders ({(tmp / 'u.ndjson').stat().st_size / 1e6:.0f} MB NDJSON), medians of {a.runs}")
        print("| write | wall s | CPU s | orders/s (wall) | `orders/` bytes |")
        print("|---|---|---|---|---|")
        for mode, r in results.items():
            wall = statistics.median(w for w, _ in r)
            cpu = statistics.median(c for _, c in r)
            print(f"| {mode} | {wall:.2f} | {cpu:.2f} | {rows / wall:,.0f} | {sizes[mode]:,} |")


if __name__ == "__main__":
    main()
