"""Shared fixtures of the interop suite: the built `waybill` binary, and TPC-H feeds.

The suite checks Waybill's output with the real consumers (pyarrow, DuckDB, polars, a JSON
Schema validator, a Prometheus parser). Run it through `make test-interop`, which builds the
binary and sets WAYBILL_BIN_DIR.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Benchmarks"))
from make_feeds import make_feeds  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def bin_dir() -> Path:
    return Path(os.environ.get("WAYBILL_BIN_DIR", ROOT / ".build" / "debug"))


@pytest.fixture(scope="session")
def waybill() -> Path:
    path = bin_dir() / "waybill"
    if not path.exists():
        pytest.fail(f"{path} not built: run `make test-interop` (or `swift build`) first")
    return path


def run(args, *, stdin=None, check=True, **kw) -> subprocess.CompletedProcess:
    """Runs a command and returns the completed process, failing the test with stderr on error."""
    p = subprocess.run([str(a) for a in args], input=stdin, capture_output=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {p.returncode}\n{p.stderr.decode(errors='replace')}")
    return p


@pytest.fixture(scope="session")
def tpch_feeds(tmp_path_factory) -> Path:
    """TPC-H feeds (flat CSV and nested NDJSON) at a small scale (WAYBILL_TPCH_SCALE, default 0.01)."""
    scale = os.environ.get("WAYBILL_TPCH_SCALE", "0.01")
    out = Path(os.environ.get("WAYBILL_FEEDS_CACHE", tmp_path_factory.mktemp("tpch"))) / f"sf{scale}"
    make_feeds(scale, str(out))
    return out
