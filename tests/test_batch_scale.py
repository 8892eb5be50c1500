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
    again = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{150 - built} to build, {built} already built" in again.stderr.splitlines()[0]
    assert len(list(out.glob("*.pdf"))) == 150


def test_a_problem_of_every_row_is_one_message_with_the_row_count(clinic, tmp_path):
    rows = [("", f"r{i}@example.com") for i in range(1, 31)]
    result = run(["batch", "guide", GUIDE, "--recipients", write_csv(tmp_path / "leads.csv", rows),
                  "--out", tmp_path / "out", "--jobs", "1"], clinic)
    assert result.exit_code == 75, explain(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {tmp_path / 'leads.csv'}: no value in required column(s): name (all 30 rows)"]
    assert "built 0, unchanged 0, failed 30" in result.stderr
    # Some rows only: each row is named (each needs its own fix).
    rows[4] = ("Ann", "ann@example.com")
    result = run(["batch", "guide", GUIDE, "--recipients", write_csv(tmp_path / "leads.csv", rows),
                  "--out", tmp_path / "out", "--jobs", "1"], clinic)
    assert len([line for line in result.stderr.splitlines() if line.startswith("error: ")]) == 29


def test_mail_without_a_consent_column_says_so_once_and_opted_out_rows_are_skipped(clinic_copy, tmp_path):
    from smtp_server import configure_clinic, write_batch

    many = [{"name": f"R{i}", "email": f"r{i}@example.org"} for i in range(1, 2001)]
    manifest, recipients_csv = write_batch(tmp_path / "batch", many, columns=("name", "email"))
    configure_clinic(clinic_copy, 1)
    result = run(["email", "--manifest", manifest, "--recipients", recipients_csv, "--dry-run"], clinic_copy)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [(f"error: {recipients_csv}#header: the list has no email_consent column, and the clinic "
                       "requires recorded consent (email_delivery.require_consent); add the column (yes/no) or map "
                       "it with --column email_consent=COLUMN (2,000 rows not sent)")], explain(result)
    assert result.exit_code == 65
    # A CRM's opt-in column, mapped: "no" rows are skipped, not errors.
    rows = [{"Name": "A", "E-mail": "a@example.org", "Opt-in": "yes"},
            {"Name": "B", "E-mail": "b@example.org", "Opt-in": "no"}]
    manifest, recipients_csv = write_batch(tmp_path / "crm", rows, columns=("Name", "E-mail", "Opt-in"))
    result = run(["email", "--manifest", manifest, "--recipients", recipients_csv, "--dry-run",
                  "--column", "email=E-mail", "--column", "email_consent=Opt-in"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "dry run: 1 message(s) written, nothing sent; 0 already sent earlier; 1 skipped (declined email)" \
        in result.stderr
