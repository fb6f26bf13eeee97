#!/usr/bin/env bash
# Rebuilds every file in SampleData/ from `waybill sample` and the system archivers, byte for
# byte (see README.md). Usage:
#   SampleData/regenerate.sh [path/to/waybill]
# Without an argument it uses $WAYBILL, else .build/release/waybill, else `swift run waybill`.
# Needs: tar, gzip, zip, zstd, bzip2, xz (GNU tar for --sort=name).
set -euo pipefail
export LC_ALL=C TZ=UTC
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="${1:-${WAYBILL:-$root/.build/release/waybill}}"
if [[ -x "$bin" ]]; then
  waybill() { "$bin" "$@"; }
else
  waybill() { (cd "$root" && swift run -c release --quiet waybill "$@"); }
fi
cd "$here"
rm -rf feeds archives
mkdir -p feeds archives

# Feeds: a clean and a bad version of each shape (bad = 5 % bad records of every default kind
# except overlong_field, whose 1.1 MiB records would dominate the folder; that kind ships
# compressed below).
no_overlong() { # the shape's default kinds minus overlong_field
  case "$1" in
    *csv) echo "unbalanced_quote,wrong_field_count,bad_money,bad_date,missing_order_id,missing_created_at,invalid_utf8" ;;
    *) echo "truncated_json,trailing_garbage,bad_money,bad_date,missing_order_id,missing_created_at,invalid_utf8" ;;
  esac
}
gen() { # name shape orders [extra args...]
  local name="$1" shape="$2" orders="$3"; shift 3
  waybill sample --shape "$shape" --orders "$orders" --seed 1 "$@" \
    --out "feeds/$name" --truth "feeds/${name%.*}.truth.json"
}
gen tpch-flat.csv            tpch-flat-csv      200
gen tpch-flat-bad.csv        tpch-flat-csv      200 --bad-share 0.05 --bad-kinds "$(no_overlong csv)"
gen tpch-nested.ndjson       tpch-nested-ndjson 150
gen tpch-nested-bad.ndjson   tpch-nested-ndjson 150 --bad-share 0.05 --bad-kinds "$(no_overlong ndjson)"
gen shop.csv                 shop-csv           300
gen shop-bad.csv             shop-csv           300 --bad-share 0.05 --bad-kinds "$(no_overlong csv)" --bom
gen jd-waybill.ndjson        jd-waybill-ndjson  200
gen jd-waybill-bad.ndjson    jd-waybill-ndjson  200 --bad-share 0.05 --bad-kinds "$(no_overlong ndjson)"

# Archives. Deterministic flags: no names or times in gzip headers, sorted tar members with
# zero times and owners, zip without extra attributes and with a fixed member time.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C feeds \
  -cf - tpch-flat.csv shop.csv jd-waybill.ndjson | gzip -n -9 > archives/feeds.tar.gz
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cp feeds/shop.csv "$tmp/shop.csv"; touch -d '1980-01-01 00:00:00' "$tmp/shop.csv"
(cd "$tmp" && zip -X -q -9 shop.csv.zip shop.csv) && mv "$tmp/shop.csv.zip" archives/
gzip -n -9 -c feeds/jd-waybill.ndjson > archives/jd-waybill.ndjson.gz
zstd -q -19 -c feeds/tpch-nested.ndjson > archives/tpch-nested.ndjson.zst
bzip2 -9 -c feeds/tpch-flat.csv > archives/tpch-flat.csv.bz2
xz -9 -c feeds/shop-bad.csv > archives/shop-bad.csv.xz
# Every default bad kind, over-long field (1.1 MiB) included: only kept compressed.
waybill sample --shape jd-waybill-ndjson --orders 100 --seed 2 --bad-share 0.1 \
  --truth archives/jd-waybill-overlong.truth.json | gzip -n -9 > archives/jd-waybill-overlong.ndjson.gz
# A deliberately damaged archive for reject tests: the first half of feeds.tar.gz.
size=$(wc -c < archives/feeds.tar.gz)
head -c $((size / 2)) archives/feeds.tar.gz > archives/truncated.tar.gz

(cd "$here" && sha256sum feeds/* archives/* > SHA256SUMS)
du -sh "$here" >&2
