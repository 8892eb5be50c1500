"""Routes of the composer: a clinic -> the page, its fragments (htmx) and the files it hands out.

Every handout is built in memory from the visit file the form would save (see draft.py) and sent
with Cache-Control: no-store; patient data travels only in POST bodies. Content edited on disk is
picked up on the next request (the clinic stat-checks its files).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, render_template

from handouts.errors import HandoutsError, Problem
from handouts.model import POSITIONS, SIDES
from handouts.i18n import catalogue, language_name
from handouts.web import draft as drafts
from handouts.web.security import LOOPBACK_NAMES, Guard
from handouts.wording import dosage_text, position_text

FORM_NAME = "the form"  # how the form's own problems are named (a visit read from the page)
MAX_RESULTS = 30
KEPT_PREVIEWS = 8
SEARCH_REFRESH_S = 1.0  # preview PDFs kept in memory (several tabs, or a quick series of changes)
DOSAGE_FIELDS = (("sets", "Sets"), ("reps", "Reps"), ("hold", "Hold (seconds)"), ("rest", "Rest (seconds)"),
                 ("duration", "Time (e.g. 10 min)"), ("per_day", "Times a day"), ("per_week", "Days a week"), ("load", "Load"))
# The visit settings of draft.OPTIONS: label, what '' (the default) means, and each value's words.
OPTION_TEXT = {
    "page_size": ("Page size", "{page_size} (clinic)", {"letter": "Letter", "a4": "A4"}),
    "layout": ("Layout", "Clinic default", {"standard": "Standard", "compact": "Compact (fridge sheet)",
                                            "large-print": "Large print (18 pt)"}),
    "greyscale": ("Print in", "Clinic default", {"yes": "Greyscale (for photocopies)", "no": "Colour"}),
    "log_sheet": ("Log sheet", "As the program says", {"yes": "Yes: add a weekly log sheet", "no": "No log sheet"}),
    "log_weeks": ("Log sheet weeks", "1 week", {str(n): f"{n} weeks" if n > 1 else "1 week" for n in range(1, 13)}),
    "language": ("Language", "Clinic default", {
        value: (" + ".join(catalogue(c).name for c in value.split("+")) + " (bilingual)" if "+" in value else
                f"{catalogue(value).name} ({language_name(value)})" if catalogue(value).name != language_name(value)
                else language_name(value))
        for value in drafts.OPTIONS["language"]}),
}


@dataclass
class Outcome:
    """A draft evaluated: its visit-file values, problems by form field, and the PDF when it built."""

    encoded: drafts.Encoded
    errors: dict[str, list[str]] = field(default_factory=dict)  # form field ('' = general) -> messages
    pdf: bytes | None = None
    dosages: list = field(default_factory=list)
    visit: object = None


class Composer:
    """One clinic served: its search index, the build lock and the in-memory previews."""

    def __init__(self, clinic, mail_folder: Path | None):
        self.clinic = clinic
        self.mail_folder = mail_folder
        self.lock = threading.RLock()  # reportlab and PDFium are not made for concurrent use
        self.mail_lock = threading.Lock()
        self.previews: OrderedDict[str, object] = OrderedDict()
        self.index: list[tuple[str, str]] = []
        self.broken: dict[str, Problem] = {}
        self._indexed_for = None
        self._typed_at = 0.0

    # -- content ------------------------------------------------------------------------------------
    @property
    def library(self):
        return self.clinic.library

    def refresh(self, typing: bool = False) -> None:
        """Pick up content edited on disk (a stat of each file). While the therapist types a search,
        once a second is enough: with 1,000 exercises the stat pass costs more than the search."""
        with self.lock:
            now = time.monotonic()
            if typing and now - self._typed_at < SEARCH_REFRESH_S:
                return
            self._typed_at = now if typing else 0.0
            self.clinic.refresh()
            if self._indexed_for is not self.library:
                self._reindex()

    def _reindex(self) -> None:
        self._indexed_for = lib = self.library
        self.index = []
        for ident, ex in sorted(lib.exercises.items(), key=lambda kv: kv[1].name.lower()):
            words = [ex.id, ex.name, ex.position, *ex.tags, *ex.region, *ex.equipment]
            self.index.append((ident, " ".join(words).lower()))
        self.broken = {}
        for p in self.clinic.problems:
            if not p.warning and p.file.startswith("content/exercises/"):
                self.broken.setdefault(Path(p.file).stem, p)

    def search(self, query: str, position: str, region: str) -> tuple[list, int]:
        words = query.lower().split()
        exercises = self.library.exercises
        found = [ident for ident, text in self.index
                 if all(w in text for w in words)
                 and (not position or exercises[ident].position == position)
                 and (not region or region in exercises[ident].region)]
        return [exercises[i] for i in found[:MAX_RESULTS]], len(found)

    # -- building -----------------------------------------------------------------------------------
    def evaluate(self, draft: drafts.Draft, build: bool = True) -> Outcome:
        from handouts.load.visit import read_visit_bytes, visit_yaml

        lib = self.library
        encoded = drafts.to_visit_values(lib, draft)
        out = Outcome(encoded)
        visit, problems = read_visit_bytes(visit_yaml(encoded.values), FORM_NAME, lib)
        out.visit = visit
        self._add(out, problems)
        out.dosages = drafts.effective_dosages(lib, draft, encoded, visit)
        if not draft.rows:
            out.errors.setdefault("", []).append("Start from a program or add an exercise to see the handout.")
        elif not out.errors and build:
            try:
                with self.lock:
                    out.pdf = self.clinic.routine(visit)
            except HandoutsError as exc:
                self._add(out, exc.problems or [Problem(str(exc))], draft)
        return out

    def _add(self, out: Outcome, problems, draft: drafts.Draft | None = None) -> None:
        for p in problems:
            if p.warning:
                continue
            name = drafts.field_of(p.field, out.encoded) if p.file in (FORM_NAME, "") else ""
            if not name and draft is not None and "translation" in p.message:
                # An exercise (or the program) without the chosen language: said at its row, in the
                # composer's words (it has no --fallback; the Language select is the way out).
                rows = [n for n, row in enumerate(draft.rows) if p.file == f"content/exercises/{row.id}.yaml"]
                name = f"ex-{rows[0]}" if rows else "language"
                field = p.field or "text"
                what = p.message.split(";")[0]  # 'no Spanish (es) translation'
                out.errors.setdefault(name, []).append(
                    f"{field}: {what} in {p.file}; add it there, or choose another language")
                continue
            text = p.message if name else (p.message if p.file in (FORM_NAME, "") and not p.field else str(p))
            out.errors.setdefault(name, []).append(text)

    def keep_preview(self, pdf: bytes) -> tuple[str, int]:
        """Keep a preview in memory for this browser only (its session), under a random key."""
        from flask import g

        from handouts.preview import PagedPdf

        with self.lock:
            paged = PagedPdf(pdf, dpi=96)
            key = secrets.token_urlsafe(16)
            self.previews[key] = {"pdf": paged, "pages": {}, "owner": g.get("session_id")}
            while len(self.previews) > KEPT_PREVIEWS:
                _, old = self.previews.popitem(last=False)
                old["pdf"].close()
        return key, paged.count

    def close(self) -> None:
        """Let go of the previews kept in memory (the server is stopping)."""
        with self.lock:
            while self.previews:
                self.previews.popitem()[1]["pdf"].close()

    def page_png(self, key: str, n: int) -> bytes | None:
        from flask import g

        with self.lock:
            entry = self.previews.get(key)
            if entry is None or entry["owner"] != g.get("session_id") or not 0 <= n < entry["pdf"].count:
                return None
            if n not in entry["pages"]:
                entry["pages"][n] = entry["pdf"].page_png(n)
            return entry["pages"][n]


def create_app(clinic, *, hosts=LOOPBACK_NAMES, token: str | None = None, mail_folder: Path | None = None) -> Flask:
    """The composer for `clinic` (a handouts.api.Clinic). `hosts`: the names it answers to; `token`:
    the LAN access token (None on loopback); `mail_folder`: where the send journal lives."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=2_000_000, TEMPLATES_AUTO_RELOAD=False, PROPAGATE_EXCEPTIONS=False)
    if mail_folder is None:
        import platformdirs

        mail_folder = platformdirs.user_state_path("handouts") / "composer"
    composer = Composer(clinic, mail_folder)
    guard = Guard(hosts, token)
    guard.install(app)
    app.extensions.update(handouts=composer, guard=guard)
    app.jinja_env.globals.update(dosage_text=dosage_text, position_text=position_text, POSITIONS=POSITIONS,
                                 SIDES=SIDES, DOSAGE_FIELDS=DOSAGE_FIELDS, lan=token is not None,
                                 OPTIONS=drafts.OPTIONS, OPTION_TEXT=OPTION_TEXT)
    from handouts.web import routes

    routes.register(app, composer)
    return app


def page(composer: Composer, draft: drafts.Draft, message: str = "", status: int = 200,
         outcome: Outcome | None = None) -> tuple[str, int]:
    """The whole composer page for a draft (first visit, Open visit, or a file action that failed)."""
    lib = composer.library
    outcome = outcome or composer.evaluate(draft)
    regions = sorted({r for ex in lib.exercises.values() for r in ex.region})
    results, total = composer.search("", "", "")
    preview = {"key": None, "count": 0}
    if outcome.pdf is not None:
        preview["key"], preview["count"] = composer.keep_preview(outcome.pdf)
    from handouts.load.folder import is_demo

    return render_template("composer.html", clinic=lib.clinic, library=lib, draft=draft, outcome=outcome,
                           message=message, regions=regions, preview=preview, results=results, total=total,
                           broken=composer.broken, problems=[p for p in composer.clinic.problems if not p.warning],
                           today=dt.date.today().isoformat(), demo=is_demo(composer.clinic.root)), status


def bad_request(message: str) -> None:
    abort(Response(render_template("message.html", message=message), 400))
