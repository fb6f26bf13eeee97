"""Progress goes to stderr only when stderr is a terminal (a pseudo-terminal here), never into a
pipe, and --quiet / --no-progress / --progress force it either way."""
import os
import pty
import select
import shutil
import subprocess
import time

import pytest

from conftest import ROOT

FEED = ROOT / "SampleData/archives/tpch-flat.csv.bz2"
PROFILE = ROOT / "Pipelines/profiles/tpch-flat-csv.yaml"


def run_with_tty_stderr(args, timeout=60):
    """Runs with stderr on a pseudo-terminal (stdout to /dev/null); returns (exit code, stderr text)."""
    master, slave = pty.openpty()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen([str(a) for a in args], stdin=subprocess.DEVNULL, stdout=null, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return rc, out.decode(errors="replace")


@pytest.fixture
def second(tmp_path):
    """A copy of the feed: two inputs (the same file named twice is read once)."""
    copy = tmp_path / "second.csv.bz2"
    shutil.copyfile(FEED, copy)
    return copy


def collect_args(waybill, second, *extra):
    return [waybill, "collect", FEED, second, "--profile", PROFILE, *extra]


def test_progress_on_a_terminal(waybill, second):
    rc, err = run_with_tty_stderr(collect_args(waybill, second))
    assert rc == 0, err
    assert "collect [1/2]" in err and "collect [2/2]" in err
    assert "records" in err and "of 27.7 KiB" in err
    assert "collect: done: 1,554 records" in err
    assert "\x1b[K" in err  # redrawn in place
    assert "collect: in=1554" in err  # the books line is still there


def test_no_progress_in_a_pipe(waybill, second):
    p = subprocess.run([str(a) for a in collect_args(waybill, second)], capture_output=True, timeout=60)
    assert p.returncode == 0
    err = p.stderr.decode()
    assert "\x1b[K" not in err and "done:" not in err
    assert "collect: in=1554" in err


def test_flags_force_it_either_way(waybill, second):
    rc, err = run_with_tty_stderr(collect_args(waybill, second, "--no-progress"))
    assert rc == 0 and "done:" not in err and "collect: in=" in err
    rc, err = run_with_tty_stderr(collect_args(waybill, second, "--quiet"))
    assert rc == 0 and err.strip() == ""
    p = subprocess.run([str(a) for a in collect_args(waybill, second, "--progress")], capture_output=True, timeout=60)
    assert p.returncode == 0 and "collect: done: 1,554 records" in p.stderr.decode()
