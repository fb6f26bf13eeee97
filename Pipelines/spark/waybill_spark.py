#!/usr/bin/env python3
"""Run a Waybill pipeline on Apache Spark: one `waybill run --shard I/N` per task.

The driver (this script, under spark-submit) does no data work itself:

1. It asks `waybill run PIPELINE --dry-run` whether the pipeline is valid (so a typo fails
   the job before any executor starts) and makes a staging folder for the job.
2. It runs N tasks. Task I copies its slice of the transaction state
   (`<state>/shard-I-of-N`) into a folder of its own, runs
   `waybill run PIPELINE --shard I/N` with the output, rejects, state, report and metrics all
   pointed into `<staging>/shard-I/attempt-<task attempt id>/`, and returns that folder and
   its report. A task that fails (non-zero exit) raises, and Spark retries it; a retried or
   speculative attempt writes into another attempt folder, so attempts never share files.
3. Spark returns exactly one result per task, from the attempt it counted as successful.
   Only when every task succeeded does the driver commit: `waybill adopt` moves the chosen
   attempts' files into the datasets under the dataset lock, through the same journaled
   commit protocol as `waybill write` (a crash mid-commit is finished by the next writer),
   then the attempts' transaction state replaces the shard state. Attempts that were not
   chosen are deleted with the staging folder, unread.
4. It merges the per-task reports into one (counts summed, each task's duration and
   attempt listed) and the per-task metrics files into one textfile.

File names are `part-<batch>-s<I>of<N>-<line>-cNNN...`: rerunning the job with the same
batch id replaces exactly the files the same shards wrote before.

Usage (local mode, 2 workers, one retry allowed per task):
  spark-submit --master 'local[2,2]' Pipelines/spark/waybill_spark.py Pipelines/nightly.yaml \
      --tasks 4 --out /data/warehouse --report report.json --metrics metrics.prom
See the README section "Running on Apache Spark".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import uuid


def parse_args(argv):
    p = argparse.ArgumentParser(description="Run a Waybill pipeline as Spark tasks and commit once.")
    p.add_argument("pipeline", help="the pipeline file (YAML), readable at the same path on every executor")
    p.add_argument("--tasks", type=int, default=0,
                   help="number of shards (default: Spark's default parallelism)")
    p.add_argument("--out", required=True,
                   help="the output folder (output.folder of the pipeline), on a filesystem every executor shares")
    p.add_argument("--staging", help="staging folder (default: <out>/.waybill-spark-<job id>; must be on the same "
                   "filesystem as --out, since the commit renames files)")
    p.add_argument("--state", help="transaction state folder (default: the pipeline's transaction.state)")
    p.add_argument("--waybill", default=os.environ.get("WAYBILL_BIN", "waybill"),
                   help="the waybill binary on the executors: a path, a name on PATH, or the base name of a file "
                   "shipped with --files")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="pipeline override passed to every task (repeatable)")
    p.add_argument("--batch-id", help="names the data files (default: the pipeline's batch_id, else a new id)")
    p.add_argument("--report", help="write the merged JSON report here")
    p.add_argument("--metrics", help="write the merged Prometheus textfile here")
    p.add_argument("--keep-staging", action="store_true", help="leave the staging folder for inspection")
    return p.parse_args(argv)


def waybill_binary(name):
    """The binary as an executor sees it: shipped with --files, a path, or on PATH."""
    try:
        from pyspark import SparkFiles
        shipped = SparkFiles.get(os.path.basename(name))
        if os.path.isfile(shipped) and os.access(shipped, os.X_OK):
            return shipped
        if os.path.isfile(shipped):
            os.chmod(shipped, 0o755)
            return shipped
    except Exception:
        pass
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"waybill binary {name!r} not found on this executor (ship it with --files or put it on PATH)")
    return found


def run_shard(shard, settings):
    """Runs one shard on an executor; returns what the driver needs to commit it."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    attempt_id = ctx.taskAttemptId() if ctx else uuid.uuid4().int & 0xFFFFFFFF
    attempt_no = ctx.attemptNumber() if ctx else 0
    n = settings["tasks"]
    folder = os.path.join(settings["staging"], f"shard-{shard}", f"attempt-{attempt_id}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)

    # Test hook (used by Tests/spark): the first attempt of shard 0 fails once, after writing
    # part of its output, to prove a retried attempt neither duplicates nor loses a file.
    marker = os.environ.get("WAYBILL_SPARK_FAIL_ONCE")
    fail_now = bool(marker) and shard == 0 and not os.path.exists(marker)

    cmd = [waybill_binary(settings["waybill"]), "run", settings["pipeline"], "--shard", f"{shard}/{n}",
           "--quiet", "--report", os.path.join(folder, "report.json"),
           "--metrics", os.path.join(folder, "metrics.prom")]
    sets = list(settings["sets"])
    sets.append(f"output.folder={os.path.join(folder, 'out')}")
    sets.append(f"output.rejects={os.path.join(folder, 'rejects')}")
    sets.append(f"batch_id={settings['batch_id']}")
    state = settings.get("state")
    if state:
        # The shard's state is read from a private copy and only replaces the shared one at
        # commit, so a failed job leaves the state as the last committed night left it.
        own = os.path.join(folder, "state")
        src = os.path.join(state, f"shard-{shard}-of-{n}")
        dst = os.path.join(own, f"shard-{shard}-of-{n}")
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            os.makedirs(dst)
        sets.append(f"transaction.state={own}")
    for s in sets:
        cmd += ["--set", s]

    started = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.time() - started
    if fail_now:
        with open(marker, "w") as f:
            f.write(f"failed attempt {attempt_id} of shard {shard}\n")
        raise RuntimeError(f"shard {shard}: injected failure of attempt {attempt_no} (WAYBILL_SPARK_FAIL_ONCE)")
    if proc.returncode != 0:
        raise RuntimeError(f"shard {shard} attempt {attempt_no}: waybill exited {proc.returncode}: "
                           f"{proc.stderr.strip()[-2000:]}")
    with open(os.path.join(folder, "report.json")) as f:
        report = json.load(f)
    # Read here: the attempt folder is gone with the staging folder once the driver committed.
    metrics = ""
    if os.path.exists(os.path.join(folder, "metrics.prom")):
        with open(os.path.join(folder, "metrics.prom")) as f:
            metrics = f.read()
    return {"shard": shard, "metrics": metrics, "attempt": attempt_no, "attempt_id": attempt_id, "folder": folder,
            "seconds": seconds, "host": os.uname().nodename, "report": report}


def check_pipeline(settings):
    """`waybill run --dry-run` on the driver: a bad pipeline fails before any task starts."""
    cmd = [waybill_binary(settings["waybill"]), "run", settings["pipeline"], "--dry-run",
           "--set", f"output.folder={settings['out']}"]
    for s in settings["sets"]:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    return proc.stdout


def plan_settings(plan):
    """The pipeline's batch id and state folder, as `waybill run --dry-run` prints them."""
    batch_id, state = None, None
    for line in plan.splitlines():
        if line.startswith("files: part-"):
            name = line[len("files: part-"):]
            cut = name.find("-<line>-")
            if cut > 0 and "<time>" not in name[:cut]:
                batch_id = name[:cut]
        elif line.startswith("transact: ") and ", state " in line:
            state = line.split(", state ", 1)[1].rstrip("/")
    return batch_id, state


def commit(settings, results):
    """Moves every chosen attempt's files into the datasets in one journaled commit."""
    staged = [os.path.join(r["folder"], "out") for r in sorted(results, key=lambda r: r["shard"])]
    cmd = [waybill_binary(settings["waybill"]), "adopt", "--into", settings["out"],
           "--name", f"adopt-{settings['job']}"[:64]] + staged
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    state = settings.get("state")
    if state:
        os.makedirs(state, exist_ok=True)
        n = settings["tasks"]
        for r in results:
            name = f"shard-{r['shard']}-of-{n}"
            new = os.path.join(r["folder"], "state", name)
            if not os.path.isdir(new):
                continue
            target = os.path.join(state, name)
            # rename the old folder aside, the new one in, then drop the old: a crash in
            # between leaves either the old or the new state under the shard's name.
            old = target + ".old"
            shutil.rmtree(old, ignore_errors=True)
            if os.path.isdir(target):
                os.rename(target, old)
            shutil.move(new, target)
            shutil.rmtree(old, ignore_errors=True)
    return proc.stderr


def add_counts(into, other):
    """Sums nested dictionaries of numbers (the report's counts)."""
    for k, v in other.items():
        if isinstance(v, bool):
            into[k] = into.get(k, True) and v
        elif isinstance(v, (int, float)):
            into[k] = into.get(k, 0) + v
        elif isinstance(v, dict):
            add_counts(into.setdefault(k, {}), v)


def merge_reports(results, settings, seconds):
    """One report for the job: every task with its attempt, host and duration, then the
    tasks' counts added up (overall and per business line). Counts of what was read
    (books.records_in, bytes_read) add up over tasks, so a line sharded by order key, which
    every task reads whole, shows N times its feed; orders and lines landed add up to the
    datasets, and `other_shards` per line is the orders each task left to the others."""
    ordered = sorted(results, key=lambda r: r["shard"])
    tasks = [{"shard": r["shard"], "attempt": r["attempt"], "attempt_id": r["attempt_id"], "host": r["host"],
              "duration_seconds": round(r["seconds"], 3), "waybill_seconds": r["report"].get("duration_seconds"),
              "succeeded": r["report"].get("succeeded")} for r in ordered]
    counts = {}
    for r in ordered:
        rep = r["report"]
        for key in ("books", "by_source", "by_business_line", "rejects_by_reason", "datasets"):
            if isinstance(rep.get(key), dict):
                add_counts(counts.setdefault(key, {}), rep[key])
    lines = {}
    for r in ordered:
        for line in r["report"].get("lines", []):
            m = lines.setdefault(line["line"], {"line": line["line"], "source": line.get("source"), "tasks": 0})
            m["tasks"] += 1
            add_counts(m, {k: v for k, v in line.items() if k not in ("line", "source", "exit_code", "error")})
    return {"engine": "spark", "pipeline": settings["pipeline"], "batch_id": settings["batch_id"],
            "tasks": tasks, "task_count": len(tasks), "duration_seconds": round(seconds, 3), "succeeded": True,
            **counts, "lines": list(lines.values()), "task_reports": [r["report"] for r in ordered]}


def combine(name, a, b):
    """How one series of two tasks adds up into the job's: counters and counts add up; a job
    started when its first task did, succeeded only if every task did, took as long as its
    longest task, exits with the largest code, and peaks and other timestamps are the largest."""
    if "start_timestamp" in name:
        return min(a, b)
    if name.endswith("_success"):
        return min(a, b)
    if "timestamp" in name or "peak" in name or name.endswith("_duration_seconds") or name.endswith("_exit_code"):
        return max(a, b)
    return a + b


def merge_metrics(results):
    """One textfile from the tasks' metrics, each series combined over the tasks (`combine`)."""
    help_type = {}
    values = {}
    order = []
    for r in sorted(results, key=lambda r: r["shard"]):
        for line in r.get("metrics", "").splitlines():
            if not line:
                continue
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3:
                    help_type.setdefault((parts[2], parts[1]), line)
                continue
            series, _, value = line.rpartition(" ")
            name = series.split("{", 1)[0]
            v = float(value)
            if series not in values:
                order.append(series)
                values[series] = v
            else:
                values[series] = combine(name, values[series], v)
    out = []
    written = set()
    for series in order:
        name = series.split("{", 1)[0]
        base = name
        for suffix in ("_total", "_bucket", "_sum", "_count", "_created"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        for fam in (name, base):
            for kind in ("HELP", "TYPE"):
                line = help_type.get((fam, kind))
                if line and line not in written:
                    out.append(line)
                    written.add(line)
        v = values[series]
        out.append(f"{series} {int(v) if v.is_integer() else repr(v)}")
    return "\n".join(out) + "\n"


def write_atomically(path, text):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName(f"waybill {os.path.basename(args.pipeline)}").getOrCreate()
    sc = spark.sparkContext
    tasks = args.tasks or sc.defaultParallelism
    out = os.path.abspath(args.out)
    job = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    staging = os.path.abspath(args.staging or os.path.join(out, f".waybill-spark-{job}"))
    settings = {
        "pipeline": os.path.abspath(args.pipeline), "tasks": tasks, "out": out, "staging": staging,
        "waybill": args.waybill, "sets": args.sets, "job": job,
    }
    plan_batch, plan_state = plan_settings(check_pipeline(settings))
    # A stable batch id (the pipeline's) lets a rerun of the night replace its own files.
    settings["batch_id"] = args.batch_id or plan_batch or f"spark-{job}"
    # Tasks always work on private copies of the state: a failed or duplicate attempt must
    # not advance the shared state that its retry then reads.
    state = args.state or plan_state
    settings["state"] = os.path.abspath(state) if state else None
    os.makedirs(staging, exist_ok=True)
    started = time.time()
    try:
        results = sc.parallelize(range(tasks), tasks).map(lambda i: run_shard(i, settings)).collect()
        log = commit(settings, results)
        if log:
            sys.stderr.write(log)
    finally:
        if not args.keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    seconds = time.time() - started
    report = merge_reports(results, settings, seconds)
    if args.report:
        write_atomically(args.report, json.dumps(report, indent=2, sort_keys=True) + "\n")
    if args.metrics:
        write_atomically(args.metrics, merge_metrics(results))
    for t in report["tasks"]:
        sys.stderr.write(f"waybill-spark: shard {t['shard']} attempt {t['attempt']} on {t['host']}: "
                         f"{t['duration_seconds']} s\n")
    sys.stderr.write(f"waybill-spark: {tasks} task(s) committed into {out} in {seconds:.1f} s\n")
    spark.stop()


if __name__ == "__main__":
    main()
