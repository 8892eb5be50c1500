"""The composer's routes: page, fragments (htmx), files, email and sign-in. See app.py."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Response, abort, make_response, redirect, render_template, request

from handouts.errors import HandoutsError
from handouts.web import draft as drafts
from handouts.web.app import Composer, page
from handouts.web.security import ACCESS_COOKIE

PDF_NAME = "exercise handout"  # how the email journal and messages name the composer's PDF


def register(app, composer: Composer) -> None:
    guard = app.extensions["guard"]

    def posted() -> drafts.Draft:
        composer.refresh()
        return drafts.from_form(request.form)

    def file_response(data: bytes, mimetype: str, name: str, inline: bool = False) -> Response:
        response = Response(data, mimetype=mimetype)
        disposition = "inline" if inline else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
        return response

    def refused(draft: drafts.Draft, outcome) -> tuple[str, int]:
        return page(composer, draft, "Nothing was made: fix the marked fields first.", 422, outcome)

    @app.get("/")
    def index():
        composer.refresh()
        return page(composer, drafts.Draft(date=dt.date.today().isoformat()))

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/problems")
    def problems():
        composer.refresh()
        return render_template("problems.html", clinic=composer.library.clinic, problems=composer.clinic.problems)

    @app.get("/search")
    def search():
        composer.refresh(typing=True)
        args = request.args
        results, total = composer.search(args.get("q", "")[:200], args.get("position", "")[:40],
                                          args.get("region", "")[:200])
        query = args.get("q", "").strip().lower()
        broken = [ident for ident in composer.broken if not query or query in ident]
        return render_template("_results.html", results=results, total=total, broken=broken,
                               problems=composer.broken)

    @app.get("/thumb/<ident>")
    def thumbnail(ident: str):
        from handouts.images import ImageProblem
        from handouts.preview import thumbnail as make

        ex = composer.library.exercises.get(ident)
        if ex is None or not ex.images:
            abort(404)
        try:
            data = make(composer.clinic.root, ex.images[0].file)
        except (ImageProblem, OSError):
            abort(404)
        response = Response(data, mimetype="image/png" if data[:4] == b"\x89PNG" else "image/jpeg")
        response.headers["Cache-Control"] = "private, max-age=300"
        return response

    @app.post("/compose")
    def compose():
        draft = posted()
        message = drafts.apply(composer.library, draft, request.form.get("op", "")[:120])
        outcome = composer.evaluate(draft, build=False)  # the list at once; its preview follows (load)
        return render_template("_compose.html", draft=draft, outcome=outcome, message=message,
                               library=composer.library)

    @app.post("/preview")
    def preview():
        draft = posted()
        outcome = composer.evaluate(draft)
        # A field with a problem while typing: keep the last pages in view (marked as not up to date)
        # rather than blanking the preview at every half-typed number.
        stale = outcome.pdf is None and any(outcome.errors) and bool(draft.rows)
        html = render_template("_refresh.html", draft=draft, outcome=outcome, preview=preview_of(outcome),
                               stale=stale)
        return Response(html, headers={"HX-Reswap": "none"} if stale else {})

    def preview_of(outcome) -> dict:
        if outcome.pdf is None:
            return {"key": None, "count": 0}
        key, count = composer.keep_preview(outcome.pdf)
        return {"key": key, "count": count}

    @app.get("/page/<key>/<int:number>.png")
    def page_image(key: str, number: int):
        data = composer.page_png(key, number - 1)
        if data is None:
            abort(404)
        return Response(data, mimetype="image/png")

    def built_pdf(inline: bool, name_of):
        """The posted handout as a PDF response, or the form again with what is wrong."""
        draft = posted()
        outcome = composer.evaluate(draft)
        if outcome.pdf is None:
            return refused(draft, outcome)
        return file_response(outcome.pdf, "application/pdf", name_of(draft), inline=inline)

    @app.post("/pdf")
    def pdf():
        # never patient data in a file name: the date and a random part
        return built_pdf(request.form.get("inline") == "yes",
                         lambda draft: f"handout-{draft.date}-{secrets.token_hex(4)}.pdf")

    @app.post("/print")
    def print_():
        return built_pdf(True, lambda draft: "handout.pdf")

    @app.post("/visit")
    def save_visit():
        from handouts.load.visit import visit_yaml

        draft = posted()
        outcome = composer.evaluate(draft)
        if outcome.errors:
            return refused(draft, outcome)
        return file_response(visit_yaml(outcome.encoded.values), "application/x-yaml", f"visit-{draft.date}.yaml")

    @app.post("/open")
    def open_visit():
        from handouts.load.visit import read_visit_bytes

        composer.refresh()
        upload = request.files.get("visit_file")
        blank = drafts.Draft(date=dt.date.today().isoformat())
        if upload is None or not upload.filename:
            return page(composer, blank, "Choose a visit file (.yaml) first.", 400)
        shown = "visit file " + "".join(c for c in upload.filename.rsplit("/", 1)[-1][:80] if c.isprintable())
        visit, problems = read_visit_bytes(upload.read(1_000_001), shown, composer.library)
        errors = [p for p in problems if not p.warning]
        if errors or visit is None:
            return render_template("message.html", title="This visit file cannot be opened",
                                   lines=[str(p) for p in errors]), 422
        return page(composer, drafts.from_visit(composer.library, visit))

    @app.post("/email")
    def email():
        draft = posted()
        outcome = composer.evaluate(draft)
        if outcome.pdf is None:
            return render_template("_email.html", lines=["Fix the marked fields first; nothing was sent."],
                                   ok=False, passwords=[])
        return render_template("_email.html", **send(draft, outcome.pdf))

    def send(draft: drafts.Draft, pdf: bytes) -> dict:
        from handouts import mail
        from handouts.mail.address import mask
        from handouts.mail.outbox import single_bytes

        clinic = composer.library.clinic
        settings = clinic.email_delivery
        address = request.form.get("email_to", "").strip()[:400]
        if settings is None:
            return {"ok": False, "passwords": [], "lines": [(
                "Email is not set up for this clinic: add email_delivery to content/clinic.yaml "
                "(see the README, section Email).")]}
        if settings.require_consent and not draft.email_consent:
            return {"ok": False, "passwords": [], "lines": [(
                "Tick “Patient agreed to get this by email” first: the clinic requires recorded consent "
                "(email_delivery.require_consent in clinic.yaml). Nothing was sent.")]}
        try:
            outbox = single_bytes(pdf, PDF_NAME, composer.mail_folder, address, draft.patient.strip(),
                                  True if draft.email_consent else None, clinic, "handout", "Email address",
                                  "the consent checkbox", language=_language(draft))
            with composer.mail_lock:  # one send at a time (one journal), previews go on meanwhile
                report = mail.deliver(outbox, clinic, composer.clinic.root,
                                      encrypt=request.form.get("encrypt") == "yes",
                                      again=request.form.get("again") == "yes")
        except HandoutsError as exc:
            return {"ok": False, "passwords": [], "lines": exc.lines()}
        shown = mask(outbox.items[0].address.ascii)
        lines = []
        if report.sent:
            lines.append(f"Sent to {shown}.")
        if report.already:
            lines.append(f"This handout was already sent to {shown}; not sent again. Tick “Send again” to "
                         "send it once more.")
        lines += [f"Not sent: {why or 'refused'} (code {code})." for _, code, why in report.failed_perm]
        lines += [f"Not sent: the server said to try later ({why}). Try again in a few minutes."
                  for _, _, _, why in report.failed_temp]
        if report.unknown:
            lines.append("The connection was lost while sending: it may or may not have arrived. Ask the "
                         "patient before sending again.")
        lines += [str(p) for p in report.refused]
        if report.fatal is not None:
            lines += report.fatal.lines()
        return {"ok": bool(report.sent) and report.complete, "lines": lines,
                "passwords": [password for _, _, password in report.passwords]}

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return render_template("login.html", message="")
        if not guard.token_ok(request.form.get("token", "").strip()[:200]):
            return render_template("login.html", message="That access token is not right."), 401
        response = make_response(redirect("/", 303))
        response.set_cookie(ACCESS_COOKIE, guard.sign("access:" + guard.token), httponly=True, samesite="Strict",
                            path="/")
        return response

    @app.errorhandler(HandoutsError)
    def handouts_error(exc):
        return render_template("message.html", title="Something is wrong", lines=exc.lines()), 422

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(421)
    def http_error(exc):
        texts = {403: "Refused: this request did not come from the composer page (reload the page and try again).",
                 404: "Not found.", 405: "Not allowed.", 413: "That file is too large (the limit is 2 MB).",
                 421: "Refused: this server does not answer to that host name.",
                 400: "The request could not be read."}
        code = getattr(exc, "code", 400) or 400
        return render_template("message.html", title=texts.get(code, "Refused"), lines=[]), code

    @app.errorhandler(Exception)
    def internal_error(exc):
        import logging

        from werkzeug.exceptions import HTTPException

        if isinstance(exc, HTTPException):
            return http_error(exc)
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        # The class only: a message or traceback may quote a patient's name.
        logging.getLogger("handouts.serve").error("internal error on %s: %s", rule, type(exc).__name__)
        return render_template("message.html", title="Something went wrong in the composer",
                               lines=[("Nothing was saved or sent. Please try again; if it happens again, restart "
                                       "the composer (the details are not shown, to protect patient data).")]), 500


def _language(draft) -> str:
    """The handout's language as chosen in the form ('' = the clinic's): the email is written in it."""
    from handouts.web.draft import OPTIONS

    chosen = draft.options.get("language", "")
    return chosen if chosen in OPTIONS["language"] else ""
