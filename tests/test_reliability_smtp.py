"""Catalogue §5 rows 42-56, 63 and 64 (email delivery): where each is tested.

Email delivery (handouts/mail/) and its tests (tests/test_mail_*.py, against a real aiosmtpd server
with a test CA) belong to the email work; this module only maps the rows to those tests, checks
that every mapped test still exists (so the map cannot silently rot), and adds what the map found
missing: the mail writers (.eml drafts, outbox folder, send journal with its WAL, SHM and lock files)
checked under umask 000 in a fresh process (the files audit of issue 7).
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

TESTS = REPO / "tests"

# row -> (what the catalogue asks, [test_module::test_function, ...])
ROWS = {
    42: ("bad addresses refused by row, nothing truncated; RCPT set == valid rows",
         ["test_mail_message.py::test_bad_addresses_are_refused_without_quoting_them",
          "test_mail_smtp.py::test_invalid_rows_are_refused_and_only_valid_rows_reach_the_server",
          "test_mail_smtp.py::test_every_injection_payload_is_refused_end_to_end"]),
    43: ("non-ASCII local part refused up front",
         ["test_mail_message.py::test_non_ascii_local_part_gets_a_clear_message",
          "test_mail_smtp.py::test_invalid_rows_are_refused_and_only_valid_rows_reach_the_server"]),
    44: ("duplicate or differently-cased recipients sent once, with a warning",
         ["test_mail_message.py::test_good_addresses_pass_and_compare_without_case",
          "test_mail_smtp.py::test_invalid_rows_are_refused_and_only_valid_rows_reach_the_server"]),
    45: ("CR/LF and the CVE-2024-6923 encoded word refused; re-parsed headers == expected; 1 RCPT",
         ["test_mail_message.py::test_bad_names_and_subjects_are_refused",
          "test_mail_message.py::test_payload_counts_meet_the_catalogue_target",
          "test_mail_message.py::test_the_cve_2024_6923_subject_is_caught_by_the_reparse_check_even_when_let_through",
          "test_mail_message.py::test_an_injected_header_in_the_bytes_is_detected",
          "test_mail_smtp.py::test_every_injection_payload_is_refused_end_to_end"]),
    46: ("formula cells neutralised in CSV reports (email writes no CSV; the batch manifest is the report)",
         ["test_batch.py::test_formula_cells_are_neutralised_in_the_manifest"]),
    47: ("no STARTTLS offered: abort before AUTH",
         ["test_mail_smtp.py::test_starttls_not_offered_stops_before_any_login"]),
    48: ("untrusted or misnamed certificate: exit 69, no plaintext fallback",
         ["test_mail_smtp.py::test_untrusted_or_misnamed_certificate_is_refused",
          "test_mail_smtp.py::test_certificate_for_localhost_is_checked_by_name",
          "test_mail_smtp.py::test_without_the_test_ca_the_system_store_does_not_trust_the_server"]),
    49: ("AUTH 535 aborts the batch at once, exit 77",
         ["test_mail_smtp.py::test_refused_login_stops_the_batch_at_once"]),
    50: ("550 for 1 of N: the rest sent, failed_perm, exit 75",
         ["test_mail_smtp.py::test_permanent_failures_are_recorded_and_the_batch_goes_on"]),
    51: ("451/421: backoff then success, capped attempts",
         ["test_mail_smtp.py::test_temporary_failures_are_retried_with_backoff",
          "test_mail_smtp.py::test_backoff_is_exponential_with_jitter_and_capped",
          "test_mail_smtp.py::test_421_closes_the_session_and_the_next_attempt_reconnects",
          "test_mail_smtp.py::test_rate_limit_spaces_messages",
          "test_mail_smtp.py::test_rate_limit_waits_with_an_injected_clock"]),
    52: ("554 at DATA: failed_perm for that item, the batch goes on",
         ["test_mail_smtp.py::test_permanent_failures_are_recorded_and_the_batch_goes_on"]),
    53: ("disconnect after DATA: unknown, resent only with --resend-unknown",
         ["test_mail_smtp.py::test_disconnect_after_accepting_is_unknown_and_only_resent_when_asked",
          "test_mail_smtp.py::test_no_reply_after_the_message_is_a_timeout_and_unknown"]),
    54: ("connection refused / server never answers: timeout, exit 69, journal intact",
         ["test_mail_smtp.py::test_server_that_never_answers_times_out",
          "test_mail_smtp.py::test_connection_refused"]),
    55: ("kill -9 during a batch, then resume",
         ["test_mail_batch.py::test_killed_five_times_and_resumed",
          "test_mail_batch.py::test_200_recipients_with_mixed_faults"]),
    56: ("a second concurrent run on the same batch: locked, exit 75",
         ["test_mail_smtp.py::test_second_concurrent_sender_is_locked_out",
          "test_mail_batch.py::test_a_second_sender_process_is_locked_out",
          "test_mail_message.py::test_second_sender_on_the_same_batch_is_refused_with_the_pid"]),
    63: ("--encrypt: AES-256 R6, pdfium refuses without the password, no DOB-like passwords",
         ["test_mail_cli.py::test_encrypted_pdf_is_aes256_r6_and_opens_only_with_its_password",
          "test_mail_cli.py::test_passwords_are_random_long_and_not_dates",
          "test_mail_cli.py::test_email_encrypt_shows_the_password_once_and_stores_it_nowhere"]),
    64: ("a group/world-readable password file refused (78); no --password option",
         ["test_mail_smtp.py::test_password_file_must_be_owner_only",
          "test_mail_smtp.py::test_there_is_no_password_option",
          "test_mail_smtp.py::test_bad_settings_are_refused"]),
}


def _functions(module: str) -> set[str]:
    path = TESTS / module
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_email_row_maps_to_tests_that_exist():
    assert sorted(ROWS) == [*range(42, 57), 63, 64]
    missing = []
    for row, (_, tests) in ROWS.items():
        for ref in tests:
            module, function = ref.split("::")
            if function not in _functions(module):
                missing.append(f"row {row}: {ref}")
    assert missing == [], "the row map points at tests that no longer exist:\n" + "\n".join(missing)


# -- added: the mail writers under umask 000 --------------------------------------------------------------------------

try:
    from smtp_server import PASSWORD, PASSWORD_ENV, Recorder, Server, configure_clinic, mail_env, pki  # noqa: F401

    HAVE_MAIL = True
except ImportError:  # pragma: no cover
    HAVE_MAIL = False


@pytest.mark.skipif(not HAVE_MAIL, reason="email delivery is not installed")
def test_mail_writers_are_private_whatever_the_umask(clinic_copy, tmp_path, mail_env):
    """In a fresh process with umask 000: a dry run's .eml drafts and outbox folder, and a real
    send's journal (database, WAL, SHM, lock) and its folder, are 0600 / 0700."""
    pdf_dir = tmp_path / "visit"
    pdf_dir.mkdir()
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Ann Lee\nprogram: core-activation\ndate: 2026-11-21\nemail_consent: yes\n",
                     encoding="utf-8")
    recorder = Recorder()
    script = textwrap.dedent(f"""
        import os, sys
        os.umask(0)
        from handouts.cli import main
        for args in (["routine", {str(visit)!r}, "-o", {str(pdf_dir / "h.pdf")!r}],
                     ["email", {str(pdf_dir / "h.pdf")!r}, "--to", "ann@example.org", "--visit", {str(visit)!r},
                      "--dry-run", "--outbox", {str(tmp_path / "outbox")!r}],
                     ["email", {str(pdf_dir / "h.pdf")!r}, "--to", "ann@example.org", "--visit", {str(visit)!r}]):
            try:
                main(["--root", {str(clinic_copy)!r}, *args])
            except SystemExit as exc:
                assert exc.code in (0, None), (args, exc.code)
    """)
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        env = dict(os.environ, HANDOUTS_CACHE=str(tmp_path / "cache"))
        proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(recorder.messages) == 1
    checked = []
    for folder in (tmp_path / "outbox", pdf_dir / "mail-journal"):
        assert folder.is_dir(), folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, f"{folder.name}/ is {oct(folder.stat().st_mode)}"
        for path in folder.iterdir():
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == 0o600, f"{folder.name}/{path.name} is {oct(mode)}"
            checked.append(path.name)
    assert any(name.endswith(".eml") for name in checked) and "journal.sqlite" in checked, checked
