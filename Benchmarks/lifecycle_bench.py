"""Measures the lifecycle verbs on TPC-H: compaction of two overlapping runs, then tier and restore.

Usage: lifecycle_bench.py [--scale 0.1] [--bin .build/release] [--work DIR]

Run 1 lands every order of the flat CSV feed; run 2 lands a third of them again at version 2
(new total, one line), both partitioned by order_month. Then it times `waybill compact` (rows/s
counts every order row read, both runs), a second `compact` (nothing to do), `waybill tier` of
the months before 1996 to a cold folder, and `waybill restore` of all of them, and prints a
Markdown table.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_feeds import make_feeds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(args):
    """Wall seconds, CPU seconds (user + system) and stderr of one run."""
    t, c = time.monotonic(), cpu()
    p = subprocess.run([str(a) for a in args], capture_output=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr.decode()}")
    return time.monotonic() - t, cpu() - c, p.stderr.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="0.1")
    ap.add_argument("--bin", default=str(ROOT / ".build" / "release"))
    ap.add_argument("--work", default="/tmp/waybill-lifecycle-bench")
    a = ap.parse_args()
    wb = Path(a.bin) / "waybill"
    work = Path(a.work)
    feeds = work / f"feeds-{a.scale}"
    make_feeds(a.scale, str(feeds))
    r1, r2 = work / "r1.ndjson", work / "r2.ndjson"
    if not r2.exists():
        with open(r1, "wb") as f:
            subprocess.run([wb, "collect", feeds / "orders_flat.csv", "--profile",
                            ROOT / "Pipelines/profiles/tpch-flat-csv.yaml"], stdout=f, check=True)
        with open(r1) as src, open(r2, "w") as dst:
            for i, line in enumerate(src):
                if i % 3 == 0:
                    o = json.loads(line)
                    o["version"] = 2
                    o["finance"]["grand_total"] = "1.00"
                    o["lines"] = o["lines"][:1]
                    dst.write(json.dumps(o) + "\n")
    out, cold = work / "w", work / "cold"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cold, ignore_errors=True)
    for i, r in enumerate((r1, r2)):
        timed([wb, "write", "--quiet", "--out", out, "--partition-by", "order_month", "--mode", "append",
               "--batch-id", f"run{i + 1}", r])
    rows = sum(1 for _ in open(r1)) + sum(1 for _ in open(r2))
    results = []
    s, c, _ = timed([wb, "compact", "--dataset", out, "--quiet"])
    results.append(("`compact` (2 runs, every partition dirty)", s, c, rows))
    s, c, _ = timed([wb, "compact", "--dataset", out, "--quiet"])
    results.append(("`compact` again (nothing to do)", s, c, sum(1 for _ in open(r1))))
    s, c, err = timed([wb, "tier", "--dataset", out, "--older-than", "0d", "--now", "1996-01-01", "--to", cold])
    moved = sum(int(l.split(": ")[1].split(" rows")[0]) for l in err.splitlines() if l.startswith("  orders/"))
    results.append(("`tier` (months before 1996, ZSTD 19)", s, c, moved))
    s, c, _ = timed([wb, "restore", "--from", cold, "--dataset", out, "--quiet"])
    results.append(("`restore` (all of them)", s, c, moved))
    print(f"| step (TPC-H scale {a.scale}, order_month) | wall s | CPU s | order rows | rows/s (wall) | rows/CPU-s |")
    print("|---|---|---|---|---|---|")
    for name, secs, cs, n in results:
        print(f"| {name} | {secs:.2f} | {cs:.2f} | {n:,} | {int(n / secs):,} | {int(n / max(cs, 1e-3)):,} |")


if __name__ == "__main__":
    main()
