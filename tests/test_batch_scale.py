"""Batches at scale (issue 17): progress lines in logs, failed rows counted, a clean Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import explain, run
from test_batch import GUIDE, names, write_csv


def test_logs_get_progress_lines_and_the_counts_include_failed_rows(clinic, tmp_path):
    people = names(4)
    people[2] = ("", "nobody@example.com")  # row 3 has no name
    result = run(["batch", "guide", GUIDE, "--recipients", write_csv(tmp_path / "leads.csv", people),
                  "--out", tmp_path / "out", "--jobs", "1"], clinic, env={"HANDOUTS_PROGRESS_SECONDS": "0"})
    assert result.exit_code == 75, explain(result)
    lines = result.stderr.splitlines()
    assert lines[0] == "4 rows in this batch: 3 to build, 0 already built, 1 with problems (listed at the end)"
    progress = [line for line in lines if line.startswith("progress: ")]
    assert [p.split(" rows")[0] for p in progress] == ["progress: 1 of 3", "progress: 2 of 3", "progress: 3 of 3"]
    assert "(100%)" in progress[-1] and "per second" in progress[-1]
    assert "\r" not in result.stderr  # no bar redrawn into a log
    assert "built 3, unchanged 0, failed 1" in result.stderr


def test_ctrl_c_stops_the_workers_quietly_and_a_rerun_finishes(clinic, tmp_path):
    csv_path = write_csv(tmp_path / "leads.csv", names(150))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "handouts", "--root", str(clinic), "batch", "guide", GUIDE, "--recipients",
           str(csv_path), "--out", str(out), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.pdf"))) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to the parent and every worker
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "stopped; run the same command again to continue" in stderr
    built = len(list(out.glob("*.pdf")))
    assert 5 <= built < 150
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{150 - built} to build, {built} already built" in again.stderr.splitlines()[0]
    assert len(list(out.glob("*.pdf"))) == 150
