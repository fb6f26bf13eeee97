#!/usr/bin/env python3
"""Regenerates the seed corpus under Tests/fuzz/corpus from the committed sample feeds.

Usage: make-corpus.py WAYBILL_BIN [PYTHON_WITH_PYARROW]

Seeds are small on purpose (a few rows each): libFuzzer mutates them, and small inputs
mutate into interesting shapes much faster than large ones. Crash inputs (Tests/fuzz/crashes)
are never touched here.
"""
import gzip, io, lzma, bz2, os, shutil, subprocess, sys, tarfile, tempfile, zipfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corpus = os.path.join(root, "Tests/fuzz/corpus")
feeds = os.path.join(root, "SampleData/feeds")
profiles = os.path.join(root, "Pipelines/profiles")
waybill = sys.argv[1]
python = sys.argv[2] if len(sys.argv) > 2 else None


def lines(name, start, count, header=True):
    with open(os.path.join(feeds, name), "rb") as f:
        all_ = f.read().split(b"\n")
    head = all_[:1] if header else []
    return b"\n".join(head + all_[start:start + count]) + b"\n"


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# CSV: the first rows, rows from the middle, and the rows of the bad feeds (every defect kind).
for target, good, bad in [("csv-shop", "shop.csv", "shop-bad.csv"), ("csv-tpch", "tpch-flat.csv", "tpch-flat-bad.csv")]:
    put(target, "head.csv", lines(good, 1, 6))
    put(target, "middle.csv", lines(good, 200, 5))
    put(target, "header-only.csv", lines(good, 1, 0))
    put(target, "no-final-newline.csv", lines(good, 1, 3).rstrip(b"\n"))
    put(target, "crlf.csv", lines(good, 1, 4).replace(b"\n", b"\r\n"))
    for i in range(4):
        put(target, f"bad-{i}.csv", lines(bad, 1 + i * 60, 12))

# NDJSON: the same for the nested feeds, plus the TPC-H scale 0.01 feed when present.
for target, good, bad in [("ndjson-tpch", "tpch-nested.ndjson", "tpch-nested-bad.ndjson"),
                          ("ndjson-jd", "jd-waybill.ndjson", "jd-waybill-bad.ndjson")]:
    put(target, "head.ndjson", lines(good, 0, 3, header=False))
    put(target, "one.ndjson", lines(good, 10, 1, header=False))
    put(target, "crlf.ndjson", lines(good, 20, 2, header=False).replace(b"\n", b"\r\n"))
    for i in range(4):
        put(target, f"bad-{i}.ndjson", lines(bad, i * 50, 10, header=False))

# A few rows of the TPC-H scale 0.01 feeds (Benchmarks' generator), when they are at hand.
sf = os.environ.get("WAYBILL_SF001", "/tmp/wbfeeds/sf0.01")
if os.path.isdir(sf):
    with open(os.path.join(sf, "orders_flat.csv"), "rb") as f:
        put("csv-tpch", "sf001-head.csv", b"".join(f.readline() for _ in range(8)))
    with open(os.path.join(sf, "orders_nested.ndjson"), "rb") as f:
        put("ndjson-tpch", "sf001-head.ndjson", b"".join(f.readline() for _ in range(3)))

# Archives: tiny members in every container and filter the collector reads.
csv = lines("tpch-flat.csv", 1, 4)
nd = lines("jd-waybill.ndjson", 0, 2, header=False)
put("archive", "flat.csv.gz", gzip.compress(csv, mtime=0))
put("archive", "jd.ndjson.gz", gzip.compress(nd, mtime=0))
put("archive", "flat.csv.xz", lzma.compress(csv))
put("archive", "flat.csv.bz2", bz2.compress(csv))
zst = subprocess.run(["zstd", "-q", "-c", "-19"], input=nd, capture_output=True, check=True).stdout
put("archive", "jd.ndjson.zst", zst)
for mode, name in [("w", "feeds.tar"), ("w:gz", "feeds.tar.gz")]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.USTAR_FORMAT) as t:
        for member, data in [("a.csv", csv), ("dir/b.ndjson", nd)]:
            info = tarfile.TarInfo(member)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("link.csv")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        t.addfile(link)
    put("archive", name, buf.getvalue())
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("a.csv", (1980, 1, 1, 0, 0, 0)), csv)
    z.writestr(zipfile.ZipInfo("b.ndjson", (1980, 1, 1, 0, 0, 0)), nd)
put("archive", "feeds.zip", buf.getvalue())

# Unified NDJSON: what collect writes, for both shapes, and a compressed one.
def collect(feed, profile, rows):
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(feed)[1]) as tmp:
        tmp.write(lines(feed, 0 if feed.endswith("ndjson") else 1, rows, header=not feed.endswith("ndjson")))
        tmp.flush()
        return subprocess.run([waybill, "collect", tmp.name, "--profile", os.path.join(profiles, profile)],
                              capture_output=True, check=True).stdout

shop_u = collect("shop.csv", "shop-csv.yaml", 6)
put("unified", "shop.ndjson", shop_u)
put("unified", "tpch.ndjson", collect("tpch-nested.ndjson", "tpch-nested-ndjson.yaml", 2))
put("unified", "jd.ndjson", collect("jd-waybill.ndjson", "jd-waybill-ndjson.yaml", 2))
put("unified", "shop.ndjson.gz", gzip.compress(shop_u, mtime=0))

# Parquet: files written by Waybill's own writer (orders and order_lines datasets) and by pyarrow.
os.makedirs(os.path.join(corpus, "parquet"), exist_ok=True)
with tempfile.TemporaryDirectory() as out:
    subprocess.run([waybill, "write", "--out", out, "--batch-id", "seed"], input=shop_u, check=True, capture_output=True)
    subprocess.run([waybill, "write", "--out", out + "/p", "--batch-id", "seed", "--partition-by", "business_line"],
                   input=collect("jd-waybill.ndjson", "jd-waybill-ndjson.yaml", 3), check=True, capture_output=True)
    n = 0
    for dirpath, _, names in sorted(os.walk(out)):
        for name in sorted(names):
            if name.endswith(".parquet"):
                kind = "orders" if "/orders" in dirpath else "lines"
                shutil.copy(os.path.join(dirpath, name), os.path.join(corpus, "parquet", f"waybill-{kind}-{n}.parquet"))
                n += 1
if python:
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-parquet-seeds.py")
    subprocess.run([python, script, os.path.join(corpus, "parquet")], check=True)
