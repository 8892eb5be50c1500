"""Batch kinds: what differs between a batch of guides (one per reader) and a batch of handouts (one per
patient) -> one Kind each: what its target id names, the columns a recipient list may have, the
output file names, and how one row becomes PDF bytes. Adding a kind means adding one here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from handouts.errors import ContentError, Problem
from handouts.model import Library

# Allowed in any recipient list: used by delivery, and each row's language (its PDF and its email).
EXTRA_COLUMNS = ("id", "email", "email_consent", "language")
ROUTINE_COLUMNS = ("patient", "date", "therapist", "note", "layout")  # layout: standard, compact, large-print

Renderer = Callable[[dict], tuple[bytes, list[Problem]]]  # one row's values -> PDF bytes, warnings


@dataclass(frozen=True)
class Kind:
    name: str  # the batch command and what a plan records: "guide" or "routine"
    target: str  # what the target id names, in messages: "guide" or "program"
    option: str  # where the target was given, in messages
    file_name: str  # the default output file name template ({row}, {id}, the target and any column)
    guides: bool  # whether the clinic's guides are read

    def library(self, root: Path) -> Library:
        from handouts.load import folder

        return folder.load_library(root, guides=self.guides)

    def targets(self, library: Library) -> dict:
        raise NotImplementedError

    def columns(self, library: Library, target: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(required, allowed) columns for `target`; ContentError (with a did-you-mean) for an unknown id."""
        raise NotImplementedError

    def renderer(self, root: Path, library: Library, target: str, options: dict) -> Renderer:
        raise NotImplementedError

    def _known(self, library: Library, target: str):
        from handouts.load.fields import did_you_mean

        found = self.targets(library).get(target)
        if found is None:
            hint = did_you_mean(target, self.targets(library))
            raise ContentError(problems=[Problem(f"unknown {self.target} id '{target}'{hint}", self.option)])
        return found


class GuideKind(Kind):
    def targets(self, library: Library) -> dict:
        return library.guides

    def columns(self, library, target):
        placeholders = tuple(sorted({name for name, _ in self._known(library, target).placeholder_at}))
        return placeholders, placeholders + EXTRA_COLUMNS

    def renderer(self, root, library, target, options):
        from handouts import build, glyphs

        renderers: dict[str, build.GuideRenderer] = {}

        def renderer_for(language: str) -> build.GuideRenderer:
            # One renderer (and one set of shared pages) per language the rows ask for.
            if language not in renderers:
                renderers[language] = build.GuideRenderer(root, library, target, options.get("page_size"),
                                                          language=language or None,
                                                          fallback=bool(options.get("fallback")))
                renderers[language].prepare_shared()
            return renderers[language]

        default = options.get("language") or ""
        renderer_for(default)  # once, before the workers fork: they inherit the shared pages

        def render(fields: dict) -> tuple[bytes, list[Problem]]:
            guide = renderer_for(fields.get("language") or default)
            glyphs.field_glyph_warnings(guide.theme, fields, row=True)  # raises for what no font prints
            return guide.reuse(fields), []

        return render


class RoutineKind(Kind):
    def targets(self, library: Library) -> dict:
        return library.programs

    def columns(self, library, target):
        self._known(library, target)
        return ("patient",), ROUTINE_COLUMNS + EXTRA_COLUMNS

    def renderer(self, root, library, target, options):
        from handouts import build
        from handouts.load.visit import visit_from_options

        warm = build.Warm()  # pictures and QR codes prepared once per worker, not once per row

        def render(fields: dict) -> tuple[bytes, list[Problem]]:
            visit = visit_from_options(library, patient=fields.get("patient", ""), program=target,
                                       note=fields.get("note", ""), therapist=fields.get("therapist", ""),
                                       date=fields.get("date") or options.get("date"),
                                       page_size=options.get("page_size"),
                                       layout=fields.get("layout") or options.get("layout"),
                                       language=fields.get("language") or options.get("language"))
            if visit.date is None:
                visit = replace(visit, date=dt.date.today())
            try:
                data, warnings = build.render_routine_pdf(root, library, visit, warm=warm,
                                                          fallback=bool(options.get("fallback")))
            except ContentError as exc:  # name the row's values by their columns, not by command-line options
                raise ContentError(problems=[Problem(p.message, p.file, p.line, p.col, f"column '{p.field[2:]}'")
                                             if p.field.startswith("--") else p for p in exc.problems]) from None
            return data, [w for w in warnings if not w.file]  # the row's own values; content is checked once

        return render


GUIDE = GuideKind("guide", "guide", "guide", "{guide}-{row:05d}.pdf", guides=True)
ROUTINE = RoutineKind("routine", "program", "--program", "handout-{row:05d}.pdf", guides=False)
KINDS = {kind.name: kind for kind in (GUIDE, ROUTINE)}
