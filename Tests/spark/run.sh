#!/usr/bin/env bash
# Tests/spark/run.sh: the Spark integration test (not part of the unit tests).
#
# Prepares a Python environment OUTSIDE the repository (default ~/.cache/waybill-spark-venv)
# with pyspark, pyarrow, duckdb, pytest and tpchgen-cli; builds waybill; makes a TPC-H
# flat feed (scale WAYBILL_SPARK_SCALE, default 0.01 to keep CI short; 0.1 is the issue's
# figure) split into 4 files by order key range (cached in ~/.cache/waybill-spark-feeds); then runs Tests/spark/test_spark.py, which drives
# spark-submit in local mode (local[2,2]: 2 workers, one retry per task). Needs Java 17.
# Exits 0 with a SKIPPED line only when pyspark cannot be installed (no package index).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${WAYBILL_SPARK_VENV:-$HOME/.cache/waybill-spark-venv}"
scale="${WAYBILL_SPARK_SCALE:-0.01}"
feeds="${WAYBILL_SPARK_FEEDS:-$HOME/.cache/waybill-spark-feeds}/tpch-$scale"
swift="${SWIFT:-swift}"

if ! "$venv/bin/python" -c 'import pyspark, pyarrow, duckdb, pytest' 2>/dev/null || [ ! -x "$venv/bin/tpchgen-cli" ]; then
  echo "preparing $venv (pyspark, pyarrow, duckdb, pytest, tpchgen-cli)" >&2
  python3 -m venv "$venv" >&2
  if ! "$venv/bin/pip" install -q --disable-pip-version-check pyspark pyarrow duckdb pytest tpchgen-cli >&2; then
    echo "SKIPPED Tests/spark: pip could not install pyspark (no package index?)" >&2
    exit 0
  fi
fi
if ! command -v java >/dev/null; then
  echo "Tests/spark: java not found; Spark needs a JDK 17 (apt-get install openjdk-17-jre-headless)" >&2
  exit 1
fi

if [ -z "${WAYBILL_BIN:-}" ]; then
  $swift build --product waybill >&2
  WAYBILL_BIN="$($swift build --show-bin-path)/waybill"
fi

if [ ! -f "$feeds/parts/part-3.csv" ]; then
  echo "making the TPC-H scale-$scale flat feed in $feeds" >&2
  rm -rf "$feeds" && mkdir -p "$feeds/parts"
  "$venv/bin/tpchgen-cli" csv -s "$scale" --tables orders,lineitem --output-dir="$feeds" >&2
  "$venv/bin/python" - "$feeds" <<'PY'
import duckdb, sys
out = sys.argv[1]
con = duckdb.connect()
con.execute(f"""CREATE TABLE flat AS SELECT o.*, l.* EXCLUDE (l_orderkey)
  FROM read_csv('{out}/orders.csv') o JOIN read_csv('{out}/lineitem.csv') l ON o_orderkey = l_orderkey""")
lo, hi = con.execute("SELECT min(o_orderkey), max(o_orderkey) + 1 FROM flat").fetchone()
# Four files by order key range, each with the header, ordered as exports are.
for i in range(4):
    a, b = lo + (hi - lo) * i // 4, lo + (hi - lo) * (i + 1) // 4
    con.execute(f"""COPY (SELECT * FROM flat WHERE o_orderkey >= {a} AND o_orderkey < {b}
      ORDER BY o_orderkey, l_linenumber) TO '{out}/parts/part-{i}.csv' (HEADER)""")
PY
fi

export WAYBILL_BIN WAYBILL_SPARK_FEED="$feeds/parts" SPARK_SUBMIT="$venv/bin/spark-submit"
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
exec "$venv/bin/python" -m pytest -q Tests/spark "$@"
