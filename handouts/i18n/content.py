"""Content in one language: model objects holding Translated text -> the same objects in plain text
of one language, and a located problem for every text that has no translation.

Plain text in content is in the clinic's own language (clinic.yaml `language:`); a text written as
`{en: ..., es: ...}` holds its translations. A Spanish handout with an untranslated exercise is an
error naming the file and field, never a silent English card; with `fallback` it prints the
clinic's language and every such text becomes a warning instead.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, is_dataclass, replace

from handouts import model as m
from handouts.translated import Translated, TranslatedList
from handouts.errors import Problem
from handouts.i18n.language import language_name

# The fields of each model class that hold printed words; ids, paths, phone numbers and
# addresses are the same in every language.
FIELDS = {
    m.Exercise: ("name", "purpose", "steps", "tips", "mistakes", "precautions", "images", "dosage"),
    m.Picture: ("caption",),
    m.Dosage: ("load",),
    m.Program: ("title", "purpose", "goals", "warning_signs", "items"),
    m.ProgramItem: ("note", "dosage"),
    m.Guide: ("title", "subtitle", "prepared_for", "intro", "sections", "author", "cta", "disclaimer"),
    m.Section: ("heading", "body", "image"),
    m.Text: ("source",),
    m.Author: ("credentials", "bio"),
    m.CallToAction: ("headline", "text"),
    m.Clinic: ("tagline", "disclaimer"),
}


@dataclass
class Localizer:
    """Turns objects into language `code`; `default` is the language of plain text."""

    code: str
    default: str
    fallback: bool = False
    problems: list[Problem] = field(default_factory=list)
    found: set[str] = field(default_factory=set)  # files in which some text was in the language

    def __call__(self, obj):
        if isinstance(obj, Translated):
            return self._text(obj)
        if isinstance(obj, TranslatedList):
            return self._list(obj)
        if isinstance(obj, tuple):
            before = len(self.problems)
            out = tuple(self(x) for x in obj)
            self._one_per_list(before)
            return out
        names = FIELDS.get(type(obj))
        if names and is_dataclass(obj):
            changes = {name: self(getattr(obj, name)) for name in names}
            if isinstance(obj, m.Text) and isinstance(obj.source, Translated) and self.code in obj.source.places:
                # Markdown is laid out from this language's text: its problems point there.
                changes["where"] = obj.source.places[self.code]
            return replace(obj, **changes)
        return obj

    def _one_per_list(self, before: int) -> None:
        """Every item of one plain list (steps: [...]) without its translation is one problem, at the
        list's first item, naming the list (not steps[0], steps[1], ... one by one)."""
        new = self.problems[before:]
        fields = {re.sub(r"\[\d+\]$", "", p.field) for p in new}
        if len(new) > 1 and len(fields) == 1 and len({(p.file, p.message) for p in new}) == 1:
            first = new[0]
            self.problems[before:] = [replace(first, field=fields.pop())]

    def _pick(self, texts: dict, where: m.Location):
        if self.code in texts:
            self.found.add(where.file)
            return texts[self.code]
        if self.code == self.default and "" in texts:
            return texts[""]
        return None

    def _missing(self, where: m.Location) -> None:
        name = language_name(self.code)
        if self.fallback:
            message = f"no {name} ({self.code}) translation; printed in {language_name(self.default)} instead"
        else:
            message = (f"no {name} ({self.code}) translation; write it as {{{self.default}: ..., {self.code}: ...}} "
                       f"(or build with --fallback to print {language_name(self.default)} here)")
        self.problems.append(Problem(message, where.file, where.line, where.col, where.field,
                                     warning=self.fallback))

    def _text(self, t: Translated) -> str:
        picked = self._pick(t.texts, t.where)
        if picked is None:
            self._missing(t.where)
            return self._default(t.texts, str(t))
        return picked

    def _list(self, t: TranslatedList) -> tuple:
        picked = self._pick(t.texts, t.where)
        if picked is None:
            self._missing(t.where)
            return self._default(t.texts, tuple(t))
        return tuple(self(x) for x in picked)

    def _default(self, texts: dict, first):
        return texts.get(self.default, texts.get("", first))

    def summary(self) -> list[Problem]:
        """The problems, once each; a file with no text at all in the language is one problem
        (naming its fields) rather than one per step."""
        out, seen, whole = [], set(), {}
        for p in self.problems:
            if (p.file, p.line, p.col, p.field) in seen:
                continue
            seen.add((p.file, p.line, p.col, p.field))
            if p.file and p.file not in self.found:
                whole.setdefault(p.file, []).append(p)
            else:
                out.append(p)
        for file, group in whole.items():
            if len(group) < 3:
                out += group
                continue
            fields = list(dict.fromkeys(p.field.split("[")[0].split(".")[0] for p in group))
            name, default = language_name(self.code), language_name(self.default)
            how = (f"printed in {default} instead" if self.fallback else
                   f"write each text as {{{self.default}: ..., {self.code}: ...}} (or build with --fallback "
                   f"to print {default})")
            out.append(Problem(f"nothing here is translated into {name} ({self.code}): {', '.join(fields)}; {how}",
                               file, 1, 1, "", warning=self.fallback))
        return out


def localize(obj, code: str, default: str, *, fallback: bool = False):
    """(obj in language `code`, problems): one per text without a translation (warnings with `fallback`)."""
    localizer = Localizer(code, default, fallback)
    return localizer(obj), localizer.summary()


def missing_translations(library: m.Library, code: str, default: str) -> list[Problem]:
    """Every text of the library (clinic, exercises, programs, guides) without a `code` translation,
    each with its place: what `handouts check --language` reports."""
    localizer = Localizer(code, default)
    localizer(library.clinic)
    for group in (library.exercises, library.programs, library.guides):
        for key in sorted(group):
            localizer(group[key])
    return localizer.summary()


def translation_problems(library: m.Library, specs, root=None) -> list[Problem]:
    """For `check --language es`: each text of the clinic without an `es` translation, located (errors),
    and (warnings) each email template the clinic wrote in its own language but not in `es` under
    `root`/content/email/<kind>/es/: those readers would get the built-in wording instead."""
    from handouts.errors import ContentError
    from handouts.i18n.language import parse

    out: list[Problem] = []
    clinic = parse(library.clinic.language)
    for spec in specs:
        try:
            language = parse(spec, region=clinic.region)
        except ValueError as exc:
            raise ContentError(problems=[Problem(str(exc), "--language")]) from None
        for code in language.codes:
            if code == clinic.primary:
                continue
            out += missing_translations(library, code, clinic.primary)
            for kind in ("handout", "guide") if root else ():
                own = root / "content" / "email" / kind
                for name in ("subject.txt", "body.txt", "body.html"):
                    if (own / name).is_file() and not (own / code / name).is_file():
                        out.append(Problem(f"no {language_name(code)} version of this template: people reading "
                                           f"{language_name(code)} get the built-in wording; write "
                                           f"content/email/{kind}/{code}/{name}", f"content/email/{kind}/{name}",
                                           warning=True))
    return list(dict.fromkeys(out))
