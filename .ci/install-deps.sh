#!/usr/bin/env bash
# Installs what Waybill needs on a fresh Debian/Ubuntu machine, idempotently:
#  - the C libraries it links (libarchive, libcsv, simdjson, zstd, snappy, zlib, xxHash, RE2; libcurl for
#    the release build, whose static Foundation sends the Pushgateway push through it) and the
#    archive tools the tests use to build fixtures;
#  - node_exporter and the Pushgateway, which the metrics interop tests start on loopback
#    (the packages' own services are not used);
#  - a Python virtual environment OUTSIDE the repository (default ~/.cache/waybill-venv) with the
#    readers the interop tests check Waybill's output against (pyarrow, DuckDB, polars), a JSON
#    Schema validator, a Prometheus text parser, pytest, and tpchgen-cli for TPC-H feeds.
# Swift itself (6.1 or newer) must already be on PATH.
set -euo pipefail

debs=(libarchive-dev libcsv-dev libsimdjson-dev libzstd-dev libsnappy-dev zlib1g-dev libxxhash-dev libre2-dev
      libcurl4-openssl-dev zstd xz-utils bzip2 zip unzip python3-venv pkg-config
      prometheus-node-exporter prometheus-pushgateway)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >&2
fi

venv="${WAYBILL_VENV:-$HOME/.cache/waybill-venv}"
pkgs=(pytest pyarrow duckdb polars jsonschema prometheus_client tpchgen-cli pyyaml)
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pytest, pyarrow, duckdb, polars, jsonschema, prometheus_client, yaml' 2>/dev/null \
   || [ ! -x "$venv/bin/tpchgen-cli" ]; then
  echo "preparing Python environment in $venv" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}" >&2
fi
echo "$venv"
