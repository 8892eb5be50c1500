"""Batch durability (catalogue §6): 200 recipients against a server that gives 5% temporary
failures, 1% permanent failures and 1% dropped connections after the message was stored
(deterministic per address), then the same batch killed with SIGKILL at random points and resumed.

Targets: every recipient ends sent, failed or unknown; the server holds nothing for a recipient
the journal calls failed, and never a second copy for one it calls sent; every duplicate at the
server belongs to a reported `unknown`.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

from conftest import REPO, assert_no_crash, explain, run
from smtp_server import (PASSWORD, PASSWORD_ENV, Recorder, Server, configure_clinic, expected_outcome, mail_env,
                         mixed_faults, pki, write_batch)  # noqa: F401 (fixtures)
from test_mail_smtp import check_every_message

SALT = "a"  # with this salt, 200 readers give 195 sent, 3 permanent failures, 2 dropped, 13 temporary
N = 200


def readers(n: int = N) -> list[dict]:
    return [{"name": f"Reader {i}", "email": f"reader{i}@example.org", "email_consent": "yes"} for i in range(1, n + 1)]


def journal(folder) -> dict[int, tuple[str, int]]:
    db = sqlite3.connect(folder / "mail-journal" / "journal.sqlite")
    try:
        return {row: (state, attempts) for row, state, attempts in db.execute("SELECT row, state, attempts FROM items")}
    finally:
        db.close()


def test_200_recipients_with_mixed_faults(clinic_copy, tmp_path, mail_env):
    rows = readers()
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    recorder = Recorder(mixed_faults(SALT))
    started = time.monotonic()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, retries=4, retry_delay="0.005")
        result = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
        again = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
    took = time.monotonic() - started
    assert_no_crash(result)
    assert result.exit_code == 75, explain(result)  # some failed or unknown

    states = journal(tmp_path / "batch")
    at_server = recorder.by_recipient()
    expected = {i: expected_outcome(r["email"], SALT) for i, r in enumerate(rows, 1)}
    assert set(states) == set(range(1, N + 1))
    assert {s for s, _ in states.values()} <= {"sent", "failed_perm", "unknown"}  # nobody lost
    assert {i: s for i, (s, _) in states.items()} == expected
    for i, r in enumerate(rows, 1):
        state, attempts = states[i]
        if state == "failed_perm":
            assert at_server[r["email"]] == 0
        elif state == "sent":
            assert at_server[r["email"]] == 1
        else:  # unknown: the server did store it, and we did not send it again
            assert at_server[r["email"]] == 1
        assert attempts <= 4
    counts = Counter(s for s, _ in states.values())
    assert counts == Counter({"sent": 195, "failed_perm": 3, "unknown": 2})
    retried = [i for i, (s, a) in states.items() if a > 1]
    assert len(retried) == 13  # the 5% temporary ones, sent on their third attempt
    # A second run sends nothing new and still reports what is not done.
    assert again.exit_code == 75 and sum(at_server.values()) == sum(recorder.by_recipient().values())
    assert "sent 0, already sent 195, failed 3 permanently and 0 temporarily, unknown 2" in again.stderr
    check_every_message(recorder)
    print(f"\n200-batch: {dict(counts)}, retried {len(retried)}, {took:.1f} s for two runs")


def _client(root, manifest, recipients, env, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "handouts", "--root", str(root), "email", "--manifest",
                             str(manifest), "--recipients", str(recipients), *extra],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_five_times_and_resumed(clinic_copy, tmp_path, mail_env):
    rows = readers()
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    # A short pause after storing each message widens the window between "stored" and "250 sent
    # back", where a kill leaves the journal at `sending`.
    recorder = Recorder(mixed_faults(SALT), delay=0.01)
    env = dict(os.environ, HANDOUTS_SMTP_CAFILE=mail_env.ca_file, **{PASSWORD_ENV: PASSWORD})
    env.pop("HANDOUTS_ROOT", None)
    rng = random.Random(20261121)
    kills, stderr_texts = [], []
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, retries=4, retry_delay="0.005")
        for _ in range(5):
            before = sum(recorder.by_recipient().values())
            proc = _client(clinic_copy, manifest, recipients, env)
            # Wait until this run has handed over a few messages, then kill it at a random moment.
            deadline = time.monotonic() + 20
            while sum(recorder.by_recipient().values()) < before + 3 and proc.poll() is None:
                assert time.monotonic() < deadline, "the client never got going"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.4))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
            kills.append(sum(recorder.by_recipient().values()))
        # Resume (without re-sending unknowns) until nothing is left to try.
        finish = subprocess.run([sys.executable, "-m", "handouts", "--root", str(clinic_copy), "email",
                                 "--manifest", str(manifest), "--recipients", str(recipients)],
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
        stderr_texts.append(finish.stderr)
        states = journal(tmp_path / "batch")
        before_resend = recorder.by_recipient()
        resend = subprocess.run([sys.executable, "-m", "handouts", "--root", str(clinic_copy), "email",
                                 "--manifest", str(manifest), "--recipients", str(recipients), "--resend-unknown"],
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in finish.stderr + resend.stderr
    assert finish.returncode == 75, finish.stderr
    # Nobody silently lost: every row has an end state, and the unknowns are the ones reported.
    assert set(states) == set(range(1, N + 1))
    assert {s for s, _ in states.values()} <= {"sent", "failed_perm", "unknown"}
    reported_unknown = {int(n) for n in re.findall(r"#row (\d+): delivery unknown", finish.stderr)}
    assert reported_unknown == {i for i, (s, _) in states.items() if s == "unknown"}
    for i, r in enumerate(rows, 1):
        state = states[i][0]
        copies = before_resend[r["email"]]
        if state == "sent":
            assert copies == 1, (i, state, copies)
        elif state == "failed_perm":
            assert copies == 0, (i, state, copies)
        else:
            assert copies <= 1, (i, state, copies)
    # Without --resend-unknown nothing was ever sent twice.
    assert max(before_resend.values()) == 1
    # With it, every duplicate belongs to a reported unknown.
    after = recorder.by_recipient()
    duplicates = {i for i, r in enumerate(rows, 1) if after[r["email"]] > 1}
    assert duplicates <= reported_unknown
    assert resend.returncode == 75  # the permanent failures remain
    final = journal(tmp_path / "batch")
    assert {s for s, _ in final.values()} <= {"sent", "failed_perm"}
    assert all(after[r["email"]] >= 1 for i, r in enumerate(rows, 1) if final[i][0] == "sent")
    check_every_message(recorder)
    print(f"\nkill test: server total after kills {kills}; unknown reported {len(reported_unknown)}; "
          f"duplicates after --resend-unknown {len(duplicates)}; end states {Counter(s for s, _ in final.values())}")


def test_a_second_sender_process_is_locked_out(clinic_copy, tmp_path, mail_env):
    manifest, recipients = write_batch(tmp_path / "batch", readers(30))
    recorder = Recorder(delay=0.05)
    env = dict(os.environ, HANDOUTS_SMTP_CAFILE=mail_env.ca_file, **{PASSWORD_ENV: PASSWORD})
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        first = _client(clinic_copy, manifest, recipients, env)
        deadline = time.monotonic() + 20
        while not recorder.messages:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.01)
        second = subprocess.run([sys.executable, "-m", "handouts", "--root", str(clinic_copy), "email", "--manifest",
                                 str(manifest), "--recipients", str(recipients)],
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
        out, err = first.communicate(timeout=60)
    assert second.returncode == 75, second.stderr
    assert f"batch locked by pid {first.pid}" in second.stderr
    assert first.returncode == 0, err
    assert max(recorder.by_recipient().values()) == 1 and len(recorder.messages) == 30
