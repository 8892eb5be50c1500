"""Glyphs: every text a handout or guide prints, with where it was written -> an error for each
character no font of the clinic's chain can draw (it would print as an empty box).

Knows which fields of the content are printed (the build stage does not need to).
"""

from __future__ import annotations

from pathlib import Path

from handouts.errors import ContentError, Problem
from handouts.model import Library, Routine
from handouts.theme import Theme, build_theme

Text = tuple[str, int, str, str]  # (file, line, field path, text)


def glyph_problems(routine: Routine, theme: Theme, program=None, source: str = "") -> list[Problem]:
    """An error for each text of the handout holding characters no font of the chain can print (it
    would show as an empty box): what was typed for this visit, named as typed (`--patient`, or the
    visit file's field), and the content it prints (clinic, `program`, exercises)."""
    if source:
        fields = [(source, 0, key, getattr(routine, key)) for key in ("patient", "note", "therapist")]
    else:
        fields = [("", 0, f"--{key}", getattr(routine, key)) for key in ("patient", "note", "therapist")]
    fields += [(source, 0, f"exercise {e.exercise.id} note", e.note) for e in routine.entries]
    texts = clinic_texts(routine.clinic) + (program_texts(program) if program else [])
    for e in routine.entries:
        texts += exercise_texts(e.exercise)
    return text_problems(theme, fields + texts)


def clinic_texts(c) -> list[Text]:
    """(file, line, field, text) of everything a clinic file can print."""
    f, line = "content/clinic.yaml", 0
    out = [(f, line, key, getattr(c, key)) for key in ("name", "tagline", "phone", "website", "email", "address",
                                                      "disclaimer")]
    for i, t in enumerate(c.therapists):
        out += [(f, line, f"therapists[{i}].name", t.name), (f, line, f"therapists[{i}].credentials", t.credentials)]
    return out


def exercise_texts(ex) -> list[Text]:
    f = ex.where.file
    out = [(f, 0, "name", ex.name), (f, 0, "purpose", ex.purpose), (f, 0, "dosage.load", ex.dosage.load or "")]
    for key in ("steps", "tips", "mistakes", "precautions"):
        out += [(f, 0, f"{key}[{i}]", text) for i, text in enumerate(getattr(ex, key))]
    out += [(p.where.file or f, p.where.line, f"images[{i}].caption", p.caption) for i, p in enumerate(ex.images)]
    return out


def program_texts(prog) -> list[Text]:
    f = prog.where.file
    out = [(f, 0, "title", prog.title), (f, 0, "purpose", prog.purpose)]
    for key in ("goals", "warning_signs"):
        out += [(f, 0, f"{key}[{i}]", text) for i, text in enumerate(getattr(prog, key))]
    out += [(item.where.file or f, item.where.line, f"exercises[{i}].note", item.note)
            for i, item in enumerate(prog.items)]
    return out


def guide_texts(g) -> list[Text]:
    f = g.where.file
    out = [(f, 0, key, getattr(g, key)) for key in ("title", "subtitle", "prepared_for", "disclaimer")]
    if g.intro:
        out.append((f, g.intro.where.line, "intro", g.intro.source))
    for i, s in enumerate(g.sections):
        at = f"sections[{i}]"
        out += [(f, s.where.line, f"{at}.heading", s.heading), (f, s.body.where.line, f"{at}.body", s.body.source)]
        if s.image:
            out.append((f, s.image.where.line, f"{at}.image.caption", s.image.caption))
    if g.author:
        a = g.author
        out += [(f, 0, "author.name", a.name), (f, 0, "author.credentials", a.credentials)]
        if a.bio:
            out.append((f, a.bio.where.line, "author.bio", a.bio.source))
    if g.cta:
        out += [(f, g.cta.where.line, "cta.headline", g.cta.headline), (f, g.cta.where.line, "cta.phone", g.cta.phone)]
        if g.cta.text:
            out.append((f, g.cta.text.where.line, "cta.text", g.cta.text.source))
    return out


def text_problems(theme: Theme, texts) -> list[Problem]:
    """One error per (file, line, field, text) holding characters no font of the theme can draw."""
    from handouts.render.fonts import missing_glyphs

    out, seen = [], set()
    for file, line, field_path, text in texts:
        missing = missing_glyphs(theme, text) if text else []
        if missing and (file, field_path, text) not in seen:
            seen.add((file, field_path, text))
            out.append(Problem(uncovered_message(missing), file, line, 0, field_path))
    return out


def uncovered_message(missing: list[str]) -> str:
    """'no font can print U+738B (王), U+5C0F (小); ...' with what to do about it."""
    codes = ", ".join(f"U+{ord(c):04X} ({c})" for c in missing[:8]) + (", ..." if len(missing) > 8 else "")
    return (f"no font can print {codes}; write it another way, or add a font that has "
            f"{'it' if len(missing) == 1 else 'them'} under fonts.fallbacks in content/clinic.yaml")


def content_glyph_warnings(root: Path, library: Library) -> list[Problem]:
    """Characters in any content file that no font of the clinic's chain can draw (errors, for `check`)."""
    theme = build_theme(library.clinic, root)
    texts = clinic_texts(library.clinic)
    for ex in library.exercises.values():
        texts += exercise_texts(ex)
    for prog in library.programs.values():
        texts += program_texts(prog)
    for g in library.guides.values():
        texts += guide_texts(g)
    return text_problems(theme, texts)


def guide_glyph_warnings(theme: Theme, library: Library, guide) -> list[Problem]:
    """Characters of a guide's content (and the clinic and exercises it prints) the font lacks."""
    texts = clinic_texts(library.clinic) + guide_texts(guide)
    for s in guide.sections:
        if s.exercise in library.exercises:
            texts += exercise_texts(library.exercises[s.exercise])
    return text_problems(theme, texts)


def field_glyph_warnings(theme: Theme, fields: dict[str, str], row: bool = False) -> list[Problem]:
    """Raise ContentError for characters of one reader's values that no font can draw, each named as
    typed: `--for` / `--field KEY` on the command line, `column 'KEY'` in a batch row. Returns []
    (kept as a list so batch code can add its warnings)."""
    def named(key: str) -> str:
        if row:
            return f"column '{key}'"
        return "--for" if key == "name" else f"--field {key}"

    problems = text_problems(theme, [("", 0, named(name), value) for name, value in sorted(fields.items())])
    if problems:
        raise ContentError(problems=problems)
    return []
