"""`handouts serve` as a user starts it: a real process, a real socket, Ctrl-C to stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from conftest import run


@contextmanager
def serving(root, *args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("HANDOUTS_ROOT", None)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "--root", str(root), "serve", "--port", "0", *args],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        while True:
            line = proc.stderr.readline()
            assert line, f"server ended early: {''.join(lines)}"
            lines.append(line)
            if "Composer ready at" in line:
                break
        url = re.search(r"http://\S+/", line).group(0)
        yield proc, url, "".join(lines), time.perf_counter() - started
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def fetch(url, host=None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_help_has_an_example():
    result = run(["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--host" in result.output
    assert "token" in result.output


def test_serve_starts_answers_and_stops_on_ctrl_c(clinic):
    with serving(clinic) as (proc, url, text, took):
        assert url.startswith("http://127.0.0.1:")
        status, html = fetch(url)
        assert status == 200 and "Search exercises" in html
        assert fetch(url, host="attacker.example")[0] == 421
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Composer stopped" in proc.stderr.read()
    assert took < 10  # the benchmark holds the real target (1.5 s); this machine is shared


def test_lan_mode_prints_a_warning_and_requires_the_token(clinic):
    with serving(clinic, "--host", "0.0.0.0", env_extra={"HANDOUTS_SERVE_TOKEN": "front-desk-token-1234"}) as (
            proc, url, text, _):
        assert "WARNING: the composer is shared on the network" in text
        assert "Access token: front-desk-token-1234" in text
        port = url.rsplit(":", 1)[1].strip("/")
        status, html = fetch(f"http://127.0.0.1:{port}/")
        assert status == 401 and "Access token" in html and "Patient name" not in html


def test_port_in_use_is_a_clear_error(clinic):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--port", str(port)], clinic)
    assert result.exit_code == 73
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.output


def test_serve_starts_with_broken_content_and_lists_the_problems(clinic_copy):
    bad = clinic_copy / "content" / "exercises" / "bridge.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("name: {en: Bridge, es: Puente}", "name: [unclosed"), encoding="utf-8")
    with serving(clinic_copy) as (proc, url, text, _):
        assert "problem(s) in the content" in text
        status, html = fetch(url)
        assert status == 200 and "content problem" in html
        status, problems = fetch(url + "problems")
        assert status == 200 and "content/exercises/bridge.yaml:" in problems


def test_serving_the_bundled_demo_says_so(clinic):
    """#10 §3 on every command: `serve` on the bundled demo says so on stderr and on the page."""
    from handouts.load.folder import DEMO_NOTICE, demo_root

    with serving(demo_root()) as (_, url, text, _):
        assert DEMO_NOTICE in text
        assert "This is the bundled demo clinic" in fetch(url)[1]
    with serving(clinic) as (_, url, text, _):  # a clinic of its own: neither
        assert DEMO_NOTICE not in text and "bundled demo clinic" not in fetch(url)[1]
