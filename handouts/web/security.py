"""Security checks of the composer, run before and after every request.

- Host header: only the names the server was started for (a DNS-rebinding page cannot talk to it).
- LAN mode (any host other than loopback): an access token, exchanged once for an HttpOnly,
  SameSite=Strict cookie; without it nothing but the sign-in page answers.
- Every state-changing request is a POST carrying a CSRF token (tied to a per-browser cookie) and an
  Origin header naming this very server.
- Responses: a strict Content-Security-Policy (no inline script), no caching of anything that may
  hold patient data, no referrer, no framing.
- Logs carry the route template and status only, never a URL's values or a form field.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time

from flask import Flask, abort, g, render_template, request

log = logging.getLogger("handouts.serve")

SESSION_COOKIE = "handouts_session"
ACCESS_COOKIE = "handouts_access"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
OPEN_ROUTES = ("login", "static")  # answer without the LAN access cookie


def host_name(host: str) -> str:
    """'Example.org:8765' -> 'example.org'; '[::1]:8765' -> '::1'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    def __init__(self, hosts, token: str | None):
        self.hosts = {host_name(h) for h in hosts}
        self.token = token
        self.secret = secrets.token_bytes(32)  # per process: a restart signs everyone out

    def sign(self, what: str) -> str:
        return hmac.new(self.secret, what.encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_token(self) -> str:
        sid = g.get("session_id")
        return self.sign("csrf:" + sid) if sid else ""

    def access_ok(self) -> bool:
        if self.token is None:
            return True
        cookie = request.cookies.get(ACCESS_COOKIE, "")
        return hmac.compare_digest(cookie, self.sign("access:" + self.token))

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def same_origin(self) -> bool:
        origin = request.headers.get("Origin", "")
        return bool(origin) and origin == f"{request.scheme}://{request.host}"

    def install(self, app: Flask) -> None:
        app.before_request(self.before)
        app.after_request(self.after)
        app.jinja_env.globals["csrf_token"] = self.csrf_token

    def before(self):
        g.started = time.perf_counter()
        g.new_session = False
        if host_name(request.host) not in self.hosts:
            abort(421 if request.host else 400)
        sid = request.cookies.get(SESSION_COOKIE, "")
        if len(sid) != 43:  # token_urlsafe(32); anything else is not ours
            sid, g.new_session = secrets.token_urlsafe(32), True
        g.session_id = sid
        endpoint = request.endpoint or ""
        if not self.access_ok() and endpoint.split(".")[0] not in OPEN_ROUTES:
            if request.method == "GET":
                return render_template("login.html", message="", lan=True), 401
            abort(403)
        if request.method not in ("GET", "HEAD"):
            if not self.same_origin():
                abort(403)
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
            if g.new_session or not hmac.compare_digest(given.encode(), self.csrf_token().encode()):
                abort(403)
        return None

    def after(self, response):
        h = response.headers
        if response.mimetype != "application/pdf":  # the browser's PDF viewer runs under its own policy
            h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"  # "no-referrer" would make form posts send "Origin: null"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Cross-Origin-Resource-Policy"] = "same-origin"
        if request.endpoint not in ("static", "thumbnail"):
            h["Cache-Control"] = "no-store"
        if getattr(g, "new_session", False):
            response.set_cookie(SESSION_COOKIE, g.session_id, httponly=True, samesite="Strict", path="/")
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        took = (time.perf_counter() - g.started) * 1000 if "started" in g else 0.0
        log.info("%s %s %d %.0f ms", request.method, rule, response.status_code, took)
        return response
