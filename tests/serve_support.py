"""Helpers for the composer's tests: an app on a clinic folder, and a test client that behaves like
the composer page (same Host, Origin and CSRF token as a browser on http://127.0.0.1:8765)."""

from __future__ import annotations

import re
from pathlib import Path

BASE = "http://127.0.0.1:8765"


def make_app(root: Path, mail_folder: Path, **options):
    from handouts.web import create_app
    from handouts.web.clinic import open_clinic

    return create_app(open_clinic(root), mail_folder=mail_folder, **options)


class Page:
    """A browser's view of the composer: cookies, the CSRF token of the last page, and POST helpers."""

    def __init__(self, app, base: str = BASE):
        self.client = app.test_client()
        self.base = base
        self.csrf = ""
        self.html = ""
        self.urls: list[str] = []

    def get(self, path: str, **kw):
        self.urls.append(path)
        response = self.client.get(path, base_url=self.base, **kw)
        found = response.mimetype == "text/html" and re.search(r'name="csrf" value="([^"]+)"',
                                                               response.get_data(as_text=True))
        if found:
            self.csrf, self.html = found.group(1), response.get_data(as_text=True)
        return response

    def post(self, path: str, data: dict | list, *, origin: str | None = None, csrf: str | None = None, **kw):
        self.urls.append(path)
        headers = {"Origin": self.base if origin is None else origin}
        if origin == "":
            headers.pop("Origin")
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        fields.append(("csrf", self.csrf if csrf is None else csrf))
        from werkzeug.datastructures import MultiDict

        return self.client.post(path, data=MultiDict(fields), headers=headers, base_url=self.base, **kw)


def visit_fields(patient="Maria Gómez", date="2026-11-21", program="", rows=(), **extra) -> list[tuple[str, str]]:
    """Form fields as the page posts them; rows are (id, {dosage key: text}, note)."""
    fields = [("patient", patient), ("date", date), ("program", program)]
    fields += [(k, v) for k, v in extra.items()]
    for i, (ident, values, note) in enumerate(rows):
        fields.append(("ex", ident))
        fields += [(f"ex-{i}-{k}", v) for k, v in values.items()]
        fields.append((f"ex-{i}-note", note))
    return fields


def error_slot(html: str, name: str) -> str:
    import html as h

    found = re.search(rf'<p class="err" id="err-{re.escape(name)}"[^>]*>(.*?)</p>', html, re.DOTALL)
    return h.unescape(found.group(1)) if found else ""


def rows_from(html: str) -> list[tuple[str, dict, str]]:
    """The handout list as the page shows it: (id, dosage fields, note) per row."""
    import html as h

    ids = re.findall(r'<input type="hidden" name="ex" value="([^"]*)">', html)
    rows = []
    for i, ident in enumerate(ids):
        values = dict(re.findall(rf'<input[^>]* name="ex-{i}-([a-z_]+)"[^>]* value="([^"]*)"', html))
        note = re.search(rf'name="ex-{i}-note"[^>]*>(.*?)</textarea>', html, re.DOTALL)
        rows.append((ident, {k: h.unescape(v) for k, v in values.items()}, h.unescape(note.group(1)) if note else ""))
    return rows
