"""Issue #10 §2, the right person: a recipient list sorted, edited or re-exported between `batch` and
`email` never puts one person's PDF in another person's inbox. Real SMTP server (aiosmtpd), real CLI."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, assert_no_crash, explain, run, pdf_facts
from smtp_server import (PASSWORD, PASSWORD_ENV, Recorder, Server, configure_clinic, mail_env, pki,  # noqa: F401
                         write_batch)
from test_mail_cli import attachment

N = 6
COLUMNS = ("name", "email", "email_consent")


def readers(n: int = N) -> list[dict]:
    return [{"name": f"Reader {i}", "email": f"reader{i}@example.org", "email_consent": "yes"} for i in range(1, n + 1)]


def write_list(path: Path, rows: list[dict], columns=COLUMNS) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def delivered(recorder, folder: Path, rows: list[dict]) -> Counter:
    """(address, whose PDF) for every message the server holds; fails on any PDF that is not one of the batch's."""
    pdfs = {(folder / f"guide-{i:05d}.pdf").read_bytes(): rows[i - 1]["email"] for i in range(1, len(rows) + 1)}
    out = Counter()
    for message in recorder.messages:
        (to,) = message.rcpt_tos
        out[(to, pdfs[attachment(message)])] += 1
    return out


def misdelivered(counts: Counter) -> list:
    return [(to, owner) for (to, owner) in counts if to != owner]


def edited(rows: list[dict], case: str) -> list[dict]:
    rows = [dict(r) for r in rows]
    if case == "reorder":
        return sorted(rows, key=lambda r: r["email"], reverse=True)
    if case == "delete":
        return rows[:2] + rows[3:]  # row 3 removed: rows 4-6 move up
    if case == "insert":
        return rows[:1] + [{"name": "New Person", "email": "new@example.org", "email_consent": "yes"}] + rows[1:]
    if case == "address":
        rows[3]["email"] = "someone.else@example.org"
        return rows
    if case == "name":
        rows[4]["name"] = "Another Reader"
        return rows
    return rows


@pytest.fixture
def batch(tmp_path):
    rows = readers()
    manifest, recipients = write_batch(tmp_path / "batch", rows, columns=COLUMNS)
    return rows, manifest, recipients


def test_an_unchanged_list_sends_everyone_exactly_once(clinic_copy, batch, mail_env):
    rows, manifest, recipients = batch
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
    assert result.exit_code == 0, explain(result)
    counts = delivered(recorder, manifest.parent, rows)
    assert counts == Counter({(r["email"], r["email"]): 1 for r in rows})
    assert "warning" not in result.stderr and "error" not in result.stderr


@pytest.mark.parametrize("case", ["reorder", "delete", "insert", "address", "name"])
def test_an_edited_list_never_sends_a_pdf_to_the_wrong_person(clinic_copy, batch, tmp_path, mail_env, case):
    rows, manifest, recipients = batch
    now = edited(rows, case)
    write_list(recipients, now)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        dry = run(["email", "--manifest", manifest, "--recipients", recipients, "--dry-run",
                   "--outbox", tmp_path / "eml"], clinic_copy)
        first = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
        sent_first = len(recorder.messages)
        second = run(["email", "--manifest", manifest, "--recipients", recipients, "--only-matching"], clinic_copy)
    for result in (dry, first, second):
        assert_no_crash(result)
    counts = delivered(recorder, manifest.parent, rows)
    assert misdelivered(counts) == []  # the point of it all
    assert all(n == 1 for n in counts.values())
    people = {r["email"] for r in now}
    if case in ("reorder", "insert"):  # every person is still in the list: each gets their own PDF
        assert first.exit_code == 0, explain(first)
        assert set(counts) == {(r["email"], r["email"]) for r in rows}
        moved = first.stderr.count("built for the person now on row")
        assert moved == (5 if case == "insert" else 6), first.stderr
        if case == "insert":
            assert "batch-recipients.csv#row 2: warning: this list row has no PDF in the batch" in first.stderr
        assert "Reader" not in first.stderr and "@" not in first.stderr  # no names or addresses in the log
        return
    # A PDF whose person changed or left: refused by row, and nothing at all sent without --only-matching.
    refused_row = {"delete": 3, "address": 4, "name": 5}[case]
    assert first.exit_code == dry.exit_code == 65, explain(first)
    assert sent_first == 0 and not list((tmp_path / "eml").glob("*.eml"))
    for result in (dry, first):
        assert f"manifest.csv#row {refused_row}: " in result.stderr
        assert "rebuild the batch" in result.stderr
        assert "nothing sent: 1 PDF(s) are not for the person on that row" in result.stderr
        assert "--only-matching" in result.stderr
    assert "this list row is not the person the PDF was built for" in first.stderr
    assert ("paired with that row" in first.stderr) == (case == "delete")  # rows after a deleted one moved up
    assert "sent to that row" not in first.stderr
    assert "refused 1, skipped" in first.stderr  # the PDF refused, not the summary line counted as one
    # --only-matching: the others, each to themselves; the refused one to nobody.
    assert second.exit_code == 65, explain(second)  # still says one was refused
    expected = {(r["email"], r["email"]) for i, r in enumerate(rows, 1) if i != refused_row}
    assert set(counts) == expected
    assert rows[refused_row - 1]["email"] not in {to for to, _ in counts} or case == "name"
    assert all(to in people for to, _ in counts)


def test_an_id_column_pairs_by_id_and_refuses_a_changed_person(clinic_copy, tmp_path, mail_env):
    columns = ("id", "name", "email", "email_consent")
    rows = [dict(r, id=f"P{i:03d}") for i, r in enumerate(readers(4), 1)]
    manifest, recipients = write_batch(tmp_path / "batch", rows, columns=columns)
    now = list(reversed([dict(r) for r in rows]))
    now[0]["email"] = "moved.away@example.org"  # P004 changed address
    write_list(recipients, now, columns)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", manifest, "--recipients", recipients, "--only-matching"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert "manifest.csv#row 4: list row 1 has id 'P004', but its details (name, address or what is printed) " \
           "changed since the PDF was built" in result.stderr
    counts = delivered(recorder, manifest.parent, rows)
    assert set(counts) == {(r["email"], r["email"]) for r in rows[:3]}


def test_a_manifest_without_fingerprints_is_refused(clinic_copy, batch, mail_env):
    rows, manifest, recipients = batch
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text("\n".join(line.rsplit(",", 2)[0] for line in lines) + "\n", encoding="utf-8")
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
    assert result.exit_code == 65 and recorder.messages == [], explain(result)
    assert "built before recipient fingerprints were recorded" in result.stderr


def test_batch_records_fingerprints_and_a_sorted_list_still_reaches_the_right_people(clinic_copy, tmp_path, mail_env):
    leads = tmp_path / "leads.csv"
    rows = [{"name": n, "email": f"{n.lower()}@example.org", "email_consent": "yes"} for n in ("Ann", "Ben", "Cleo")]
    write_list(leads, rows)
    out = tmp_path / "out"
    built = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    header = (out / "manifest.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",recipient,pdf_sha256")
    pdfs = {f: (out / f).read_bytes() for f in sorted(p.name for p in out.glob("*.pdf"))}
    write_list(leads, list(reversed(rows)))  # the CRM re-export comes back sorted the other way
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert result.exit_code == 0, explain(result)
    got = {m.rcpt_tos[0]: attachment(m) for m in recorder.messages}
    for number, row in enumerate(rows, 1):
        (mine,) = [data for name, data in pdfs.items() if name.endswith(f"{number:05d}.pdf")]
        assert got[row["email"]] == mine


def test_ctrl_c_during_email_exits_130_and_the_journal_stays_right(clinic_copy, tmp_path, mail_env):
    rows = readers(5)
    manifest, recipients = write_batch(tmp_path / "batch", rows, columns=COLUMNS)
    recorder = Recorder(delay=0.6)  # each message takes a while: time to press Ctrl-C in the middle
    env = dict(os.environ, HANDOUTS_SMTP_CAFILE=mail_env.ca_file, **{PASSWORD_ENV: PASSWORD},
               PYTHONPATH=str(REPO))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        args = [sys.executable, "-m", "handouts", "--root", str(clinic_copy), "email", "--manifest", str(manifest),
                "--recipients", str(recipients)]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(recorder.messages) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        stopped_after = len(recorder.messages)
        again = run(["email", "--manifest", manifest, "--recipients", recipients], clinic_copy)
    assert proc.returncode == 130, err
    assert "Aborted!" not in err and "Traceback" not in err
    assert "interrupted: no further messages sent" in err
    assert 2 <= stopped_after < 5
    db = sqlite3.connect(manifest.parent / "mail-journal" / "journal.sqlite")
    states = dict(db.execute("SELECT row, state FROM items"))
    db.close()
    # Every message the server holds is one the journal calls sent (or unknown); nobody twice, nobody lost.
    counts = delivered(recorder, manifest.parent, rows)
    assert misdelivered(counts) == [] and all(n == 1 for n in counts.values()), counts
    assert {s for s in states.values()} <= {"sent", "unknown"}
    assert again.exit_code in (0, 75), explain(again)
    assert len(counts) == 5 or "unknown" in states.values()


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def test_a_rebuild_killed_before_its_rename_never_sends_the_old_pdf(clinic_copy, tmp_path, mail_env, monkeypatch):
    """Rebuilding a batch for a new list, killed between recording a row and renaming its PDF into place:
    the old person's PDF stays under the name the manifest now gives the new person. The re-run used to
    count it 'unchanged' and email sent it to the new person."""
    import os

    import handouts.batch

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_list(first, [{"name": "Alice Old", "email": "alice@example.org", "email_consent": "yes"}])
    write_list(second, [{"name": "Carol New", "email": "carol@example.org", "email_consent": "yes"}])
    out = tmp_path / "out"
    args = ["batch", "guide", "back-pain-tips", "--out", out, "--jobs", "1", "--recipients"]
    assert run(args + [first], clinic_copy).exit_code == 0
    real = os.replace

    def killed(src, dst, *a, **k):
        if str(dst).endswith(".pdf"):
            raise Killed()
        return real(src, dst, *a, **k)

    monkeypatch.setattr(handouts.batch.os, "replace", killed)
    with pytest.raises(Killed):
        run(args + [second], clinic_copy)  # killed after the manifest line, before the rename
    monkeypatch.setattr(handouts.batch.os, "replace", real)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        refused = run(["email", "--manifest", out / "manifest.csv", "--recipients", second], clinic_copy)
        assert refused.exit_code == 65 and recorder.messages == [], explain(refused)
        assert "is not the PDF built for this row" in refused.stderr
        again = run(args + [second], clinic_copy)
        assert again.exit_code == 0 and "built 1" in again.stderr, explain(again)
        sent = run(["email", "--manifest", out / "manifest.csv", "--recipients", second], clinic_copy)
    assert sent.exit_code == 0, explain(sent)
    assert [m.rcpt_tos for m in recorder.messages] == [("carol@example.org",)]
    assert attachment(recorder.messages[0]) == (out / "back-pain-tips-00001.pdf").read_bytes()
    assert "Carol" in pdf_facts(attachment(recorder.messages[0])).all_text


def test_a_dry_run_leaves_only_its_own_messages_in_the_outbox(clinic_copy, batch, tmp_path, mail_env):
    """An earlier dry run's .eml files (to addresses now refused) used to stay beside the new plan's."""
    rows, manifest, recipients = batch
    outbox = tmp_path / "eml"
    (outbox).mkdir()
    (outbox / "notes.txt").write_text("mine")
    (outbox / "message-00099.eml").write_text("another shard's row 99")  # shards of one --out share it
    with Server(Recorder(), "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        first = run(["email", "--manifest", manifest, "--recipients", recipients, "--dry-run", "--outbox", outbox],
                    clinic_copy)
        assert first.exit_code == 0 and len(list(outbox.glob("*.eml"))) == len(rows) + 1, explain(first)
        now = [dict(r) for r in rows]
        now[1]["email"] = "someone.else@example.org"
        write_list(recipients, now)
        second = run(["email", "--manifest", manifest, "--recipients", recipients, "--dry-run", "--outbox", outbox,
                      "--only-matching"], clinic_copy)
    assert second.exit_code == 65, explain(second)
    left = sorted(p.name for p in outbox.glob("*.eml") if p.name != "message-00099.eml")
    assert "message-00002.eml" not in left and len(left) == len(rows) - 1
    assert (outbox / "message-00099.eml").is_file()  # not a row of this batch: left alone
    assert (outbox / "notes.txt").read_text() == "mine"  # only our own message files are cleared


def test_a_person_removed_from_the_list_is_retired_by_the_next_run(clinic_copy, tmp_path, mail_env):
    """Removing someone blocked every later send ('not in the list; rebuild'), and rebuilding never
    cleared their row: the next batch run now retires it (and removes their PDF)."""
    leads = tmp_path / "leads.csv"
    rows = readers(4)
    write_list(leads, rows)
    out = tmp_path / "out"
    args = ["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"]
    assert run(args, clinic_copy).exit_code == 0
    gone = out / "back-pain-tips-00004.pdf"
    assert gone.is_file()
    write_list(leads, rows[:3])
    again = run(args, clinic_copy)
    assert again.exit_code == 0, explain(again)
    assert not gone.exists()
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        sent = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert sent.exit_code == 0, explain(sent)
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == [r["email"] for r in rows[:3]]


def test_a_row_with_an_empty_id_is_paired_by_its_fingerprint(clinic_copy, tmp_path, mail_env):
    """A list with an id column and one empty id cell: that row's manifest id is its row number, and
    email refused the whole batch ('id 2 is not in the list')."""
    leads = tmp_path / "leads.csv"
    rows = [dict(r, id=i) for r, i in zip(readers(3), ("L100", "", "L102"))]
    columns = ("id", "name", "email", "email_consent")
    write_list(leads, rows, columns=columns)
    out = tmp_path / "out"
    built = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        sent = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert sent.exit_code == 0, explain(sent)
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == sorted(r["email"] for r in rows)
