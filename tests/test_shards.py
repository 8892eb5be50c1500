"""Batches on a cluster (issue 17 §2): `--shard auto` from each array-job engine's variables, shard
processes killed and rerun, and `handouts batch merge` reporting missing, failed and duplicated rows."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import explain, run
from test_batch import GUIDE, names, write_csv

from handouts import shards
from handouts.errors import ContentError

ENGINES = {  # how each engine names shard K (from 0) of N
    "kubernetes": lambda k, n: {"JOB_COMPLETION_INDEX": str(k), "HANDOUTS_SHARD_COUNT": str(n)},
    "aws-batch": lambda k, n: {"AWS_BATCH_JOB_ARRAY_INDEX": str(k), "AWS_BATCH_JOB_ARRAY_SIZE": str(n)},
    "cloud-run": lambda k, n: {"CLOUD_RUN_TASK_INDEX": str(k), "CLOUD_RUN_TASK_COUNT": str(n)},
}


@pytest.mark.parametrize("engine", ENGINES)
def test_shard_auto_reads_each_engine(engine):
    assert shards.from_environment(ENGINES[engine](0, 4)) == (1, 4)
    assert shards.from_environment(ENGINES[engine](3, 4)) == (4, 4)
    with pytest.raises(ContentError, match=r"--shard: auto: \w+=4 is outside 0\.\.3"):
        shards.from_environment(ENGINES[engine](4, 4))


@pytest.mark.parametrize("env, message", [
    ({}, ("none of the array-job variables is set: CLOUD_RUN_TASK_INDEX (Cloud Run jobs); AWS_BATCH_JOB_ARRAY_INDEX"
          " (AWS Batch array jobs); JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs). Use --shard K/N")),
    ({"JOB_COMPLETION_INDEX": "2"}, ("Kubernetes Indexed Jobs give the index (JOB_COMPLETION_INDEX=2) but not the "
                                     "count: set HANDOUTS_SHARD_COUNT to the number of shards")),
    ({"AWS_BATCH_JOB_ARRAY_INDEX": "1", "HANDOUTS_SHARD_COUNT": "3", "AWS_BATCH_JOB_ARRAY_SIZE": "9"}, None),
    ({"JOB_COMPLETION_INDEX": "x", "HANDOUTS_SHARD_COUNT": "3"}, "JOB_COMPLETION_INDEX must be a whole number"),
    ({"JOB_COMPLETION_INDEX": "0", "CLOUD_RUN_TASK_INDEX": "0", "CLOUD_RUN_TASK_COUNT": "2"}, "more than one engine"),
])
def test_shard_auto_says_what_is_missing(env, message):
    if message is None:  # HANDOUTS_SHARD_COUNT wins over the array size
        assert shards.from_environment(env) == (2, 3)
        return
    with pytest.raises(ContentError) as caught:
        shards.from_environment(env)
    assert message in str(caught.value.problems[0]) and str(caught.value.problems[0]).startswith("--shard: auto: ")


def test_shard_auto_on_the_command_line_outside_an_array_job(clinic, tmp_path, monkeypatch):
    for _, index, counts in shards.ENGINES:
        for var in (index, *counts):
            monkeypatch.delenv(var, raising=False)
    result = run(["batch", "guide", GUIDE, "--recipients", write_csv(tmp_path / "l.csv", names(2)),
                  "--out", tmp_path / "out", "--shard", "auto"], clinic)
    assert result.exit_code == 65 and "--shard: auto: none of the array-job variables is set" in result.stderr


def _start(clinic: Path, csv_path: Path, out: Path, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "handouts", "--root", str(clinic), "batch", "guide", GUIDE, "--recipients",
           str(csv_path), "--out", str(out), "--shard", "auto", "--jobs", "1"]
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env}
    for _, index, counts in shards.ENGINES:
        for var in (index, *counts):
            if var not in env:
                full_env.pop(var, None)
    return subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("engine, shared", [("kubernetes", True), ("aws-batch", False), ("cloud-run", False)])
def test_shards_killed_rerun_and_merged_hold_every_row_once(clinic, tmp_path, engine, shared):
    """N local processes as the engine starts them; one is killed mid-run, rerun, and all merged."""
    rows, count, victim = 60, 3, 1
    csv_path = write_csv(tmp_path / "leads.csv", names(rows))
    folders = [tmp_path / ("shared" if shared else f"shard-{k}") for k in range(count)]
    procs = [_start(clinic, csv_path, folders[k], ENGINES[engine](k, count)) for k in range(count)]
    mine = [f"{GUIDE}-{row:05d}.pdf" for row in range(victim + 1, rows + 1, count)]  # shard 2's rows
    deadline = time.monotonic() + 60
    while sum((folders[victim] / n).exists() for n in mine) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    procs[victim].send_signal(signal.SIGKILL)
    for proc in procs:
        proc.wait(timeout=120)
    assert procs[victim].returncode == -signal.SIGKILL, "the shard finished before it could be killed"
    into = tmp_path / "merged"
    first = run(["batch", "merge", *dict.fromkeys(folders), "--into", into], clinic)
    assert first.exit_code == 75, explain(first)
    assert "not built yet (shard 2 was stopped?); run --shard 2/3 again" in first.stderr
    rerun = _start(clinic, csv_path, folders[victim], ENGINES[engine](victim, count))
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read()
    again = run(["batch", "merge", *dict.fromkeys(folders), "--into", into], clinic)
    assert again.exit_code == 0, explain(again)
    assert f"merged 3 of 3 shards into {into}: {rows} rows built, 0 missing, 0 failed, 0 duplicated" in again.stderr
    with open(into / "manifest.csv", newline="", encoding="utf-8") as fh:
        merged = list(csv.DictReader(fh))
    assert [int(r["row"]) for r in merged] == list(range(1, rows + 1))  # every row exactly once, in order
    assert sorted(p.name for p in into.glob("*.pdf")) == sorted(r["file"] for r in merged)


def test_merge_reports_a_missing_shard_a_failed_row_and_a_duplicated_row(clinic, tmp_path):
    people = names(6)
    people[3] = ("", "x@example.com")  # row 4 (shard 2 of 2) cannot be built
    csv_path = write_csv(tmp_path / "leads.csv", people)
    base = ["batch", "guide", GUIDE, "--recipients", csv_path, "--jobs", "1"]
    assert run([*base, "--out", tmp_path / "a", "--shard", "1/2"], clinic).exit_code == 0
    missing = run(["batch", "merge", tmp_path / "a", "--into", tmp_path / "m"], clinic)
    assert missing.exit_code == 75, explain(missing)
    assert "missing: merge: shard 2 of 2 did not run (no shard-2-of-2.json): its rows are missing; run it with " \
           "--shard 2/2" in missing.stderr
    assert run([*base, "--out", tmp_path / "b", "--shard", "2/2"], clinic).exit_code == 75  # row 4 failed
    shutil.copytree(tmp_path / "a", tmp_path / "a-again")  # shard 1 synced twice, to two places
    result = run(["batch", "merge", tmp_path / "a", tmp_path / "b", tmp_path / "a-again", "--into", tmp_path / "m"],
                 clinic)
    assert result.exit_code == 65, explain(result)
    assert "failed: manifest-shard-2-of-2.csv#row 4: no value in required column(s): name" in result.stderr
    for row in (1, 3, 5):
        assert f"duplicated: manifest-shard-1-of-2.csv#row {row}: built by shard 1 in {tmp_path / 'a'} and again " \
               f"by shard 1 in {tmp_path / 'a-again'}; kept the first" in result.stderr
    assert "5 rows built, 0 missing, 1 failed, 3 duplicated" in result.stderr
    assert len(list((tmp_path / "m").glob("*.pdf"))) == 5


def test_merge_without_shard_plans_is_refused(clinic, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run(["batch", "merge", tmp_path / "empty"], clinic)
    assert result.exit_code == 65 and "no shard plan (shard-K-of-N.json) here" in result.stderr
    assert "Example:" in run(["batch", "merge", "--help"], clinic).stdout


def test_the_kubernetes_and_aws_batch_examples_run_as_written(clinic, tmp_path, monkeypatch):
    """examples/cluster: the Indexed Job's arguments, run once per index as Kubernetes would, then the
    merge Job's; the AWS Batch job definition's command names the same batch and the same count."""
    import json

    import yaml
    from conftest import REPO

    folder = REPO / "examples" / "cluster"
    job = yaml.safe_load((folder / "k8s-indexed-job.yaml").read_text(encoding="utf-8"))
    spec = job["spec"]
    container = spec["template"]["spec"]["containers"][0]
    count = int(next(e["value"] for e in container["env"] if e["name"] == "HANDOUTS_SHARD_COUNT"))
    assert spec["completionMode"] == "Indexed" and spec["completions"] == count
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "leads.csv", names(count))  # one row per shard: no worker pool to start

    def local(args):
        return [a.replace("/data", str(data)) for a in args]

    for var in ("AWS_BATCH_JOB_ARRAY_INDEX", "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HANDOUTS_SHARD_COUNT", str(count))
    for index in range(count):
        monkeypatch.setenv("JOB_COMPLETION_INDEX", str(index))
        result = run(local(container["args"]), clinic)
        assert result.exit_code == 0, explain(result)
    merge_job = yaml.safe_load((folder / "k8s-merge-job.yaml").read_text(encoding="utf-8"))
    merged = run(local(merge_job["spec"]["template"]["spec"]["containers"][0]["args"]), clinic)
    assert merged.exit_code == 0, explain(merged)
    assert f"{count} rows built, 0 missing, 0 failed, 0 duplicated" in merged.stderr
    aws = json.loads((folder / "aws-batch-job-definition.json").read_text(encoding="utf-8"))["containerProperties"]
    assert "--shard auto" in aws["command"][0] and "handouts batch guide back-pain-tips" in aws["command"][0]
    assert {"name": "HANDOUTS_SHARD_COUNT", "value": str(count)} in aws["environment"]


def test_merge_never_takes_a_pdf_its_shard_did_not_record(clinic, tmp_path):
    """A shard's PDF replaced after its build (or left by a rebuild killed before its rename) used to be
    merged as built; email then refused the whole batch."""
    csv_path = write_csv(tmp_path / "leads.csv", names(4))
    base = ["batch", "guide", GUIDE, "--recipients", csv_path, "--jobs", "1"]
    for k in (1, 2):
        assert run([*base, "--out", tmp_path / f"s{k}", "--shard", f"{k}/2"], clinic).exit_code == 0
    (first,) = sorted((tmp_path / "s1").glob("*-00001.pdf"))
    first.write_bytes((tmp_path / "s1" / first.name.replace("00001", "00003")).read_bytes())
    result = run(["batch", "merge", tmp_path / "s1", tmp_path / "s2", "--into", tmp_path / "m"], clinic)
    assert result.exit_code == 75, explain(result)
    assert (f"manifest-shard-1-of-2.csv#row 1: {first.name} is not the PDF shard 1 recorded for this row; run "
            "--shard 1/2 again") in result.stderr
    assert not (tmp_path / "m" / first.name).exists() and len(list((tmp_path / "m").glob("*.pdf"))) == 3


def test_merge_refuses_shards_built_from_different_lists(clinic, tmp_path):
    """Shard 2 rebuilt from another list: its rows of the first list vanished from the merge, exit 0."""
    first = write_csv(tmp_path / "a.csv", names(6))
    other = write_csv(tmp_path / "b.csv", names(3))
    base = ["batch", "guide", GUIDE, "--jobs", "1", "--out", tmp_path / "out"]
    assert run([*base, "--recipients", first, "--shard", "1/2"], clinic).exit_code == 0
    assert run([*base, "--recipients", other, "--shard", "2/2"], clinic).exit_code == 0
    result = run(["batch", "merge", tmp_path / "out", "--into", tmp_path / "m"], clinic)
    assert result.exit_code == 65, explain(result)
    assert "shard 2 was built from a list of 3 rows that is not the list the other shards were built from" \
        in result.stderr
    assert not list((tmp_path / "m").glob("*.pdf"))
