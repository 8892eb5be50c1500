"""Compose: a Library and a Visit -> a Routine (the exact handout to print). Pure, no I/O.

Dosage is layered: the exercise's default, then the program's changes, then the visit's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from handouts import facts
from handouts import i18n
from handouts.i18n.content import localize
from handouts.load import markdown
from handouts.load.fields import did_you_mean, text_problem
from handouts.errors import ContentError, Problem
from handouts.load.markdown import Block
from handouts.model import Clinic, Guide, Library, ProgramItem, Routine, RoutineEntry, Section, Visit

# The title and warning signs of a handout without a program come from the label catalogue
# (routine.default_title, routine.warning_signs): the box must never be missing.
_ID_LIKE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def therapist_text(library: Library, value: str, file: str) -> str:
    """A therapist id from clinic.yaml becomes 'Name, credentials'; other text is kept as typed."""
    if not value:
        return ""
    known = library.clinic.therapist(value)
    if known:
        return known.display
    if _ID_LIKE.match(value):  # looks like an id, so a typo would otherwise print as a name
        hint = did_you_mean(value, [t.id for t in library.clinic.therapists])
        raise ContentError(problems=[Problem(f"unknown therapist id '{value}'{hint}", file, 0, 0, "therapist")])
    return value


def language_of(library: Library, spec: str | None, option: str = "--language") -> i18n.Language:
    """The handout's Language: `spec` (e.g. from --language), else the clinic's; a region the spec
    does not give comes from the clinic ('es' in an 'en-GB' clinic writes dates the British way)."""
    clinic = i18n.parse(library.clinic.language)
    if not spec:
        return clinic
    try:
        return i18n.parse(spec, region=clinic.region)
    except ValueError as exc:
        raise ContentError(problems=[Problem(str(exc), option)]) from None


def in_language(library: Library, obj, language: i18n.Language, fallback: bool, warnings: list[Problem] | None):
    """`obj` (an exercise, program, guide or the clinic) in the handout's main language. A missing
    translation is an error naming the file and field, or with `fallback` a warning."""
    default = i18n.parse(library.clinic.language).primary
    result, problems = localize(obj, language.primary, default, fallback=fallback)
    if problems and not fallback:
        raise ContentError(problems=problems)
    if warnings is not None:
        warnings += problems
    return result


def compose_routine(library: Library, visit: Visit, file: str = "", *, fallback: bool = False,
                    warnings: list[Problem] | None = None) -> Routine:
    """The handout for one visit, in the visit's language (default: the clinic's). Raises ContentError
    for ids the library does not know and for content without a translation (unless `fallback`)."""
    language = language_of(library, visit.language, "language" if visit.where.file else "--language")
    words = i18n.words(language)
    problems: list[Problem] = []

    def localized(obj):
        # Every missing translation of the handout is reported together.
        try:
            return in_language(library, obj, language, fallback, warnings)
        except ContentError as exc:
            problems.extend(exc.problems)
            return obj

    program = library.programs.get(visit.program) if visit.program else None
    program = localized(program) if program else None
    items: list[ProgramItem] = [i for i in (program.items if program else ()) if i.id not in visit.remove]
    for extra in visit.exercises:
        for n, item in enumerate(items):
            if item.id == extra.id:  # the visit adjusts an exercise already in the program
                items[n] = ProgramItem(item.id, item.dosage.overlaid(extra.dosage), extra.note or item.note, item.where)
                break
        else:
            items.append(extra)
    if not items:
        raise ContentError(problems=[Problem("the handout has no exercises: name a program or an exercise", file)])
    entries = []
    for item in items:
        ex = localized(library.exercises[item.id])
        # The program's items are already in the language; a visit's own notes print as typed.
        entries.append(RoutineEntry(ex, ex.dosage.overlaid(item.dosage), item.note,
                                    harder=_names(library, ex.progressions, localized),
                                    easier=_names(library, ex.regressions, localized)))
    clinic = localized(library.clinic)
    if problems:
        raise ContentError(problems=problems)
    # A log sheet when the visit or its program asks for one (asking for weeks asks for one); `no` wins.
    wanted = visit.log_sheet or visit.log_weeks or (program and program.log_sheet)
    weeks = (visit.log_weeks or 1) if wanted and visit.log_sheet is not False else 0

    def fill(text: str) -> str:  # programs name clinic facts by reference: {clinic.phone}
        return facts.fill(text, clinic)

    also = None
    if len(language.codes) > 1:  # bilingual: the same handout in the second language, card by card
        second = i18n.Language(language.codes[1:], language.region)
        also = compose_routine(library, replace(visit, language=second.spec), file, fallback=fallback,
                               warnings=warnings)
        entries = [replace(e, also=a) for e, a in zip(entries, also.entries)]
    return Routine(
        also=also,
        clinic=clinic,
        title=fill(program.title) if program else words.text("routine.default_title"),
        entries=tuple(entries),
        patient=visit.patient,
        date=visit.date,
        therapist=therapist_text(library, visit.therapist, file),
        purpose=fill(program.purpose) if program else "",
        goals=tuple(map(fill, program.goals)) if program else (),
        warning_signs=(tuple(map(fill, program.warning_signs)) if program and program.warning_signs
                       else words.main.texts("routine.warning_signs")),
        note=visit.note,
        page_size=visit.page_size or library.clinic.page_size,
        log_weeks=weeks,
        layout=visit.layout or library.clinic.layout,
        greyscale=visit.greyscale if visit.greyscale is not None else library.clinic.greyscale,
        language=language.spec,
    )


def _names(library: Library, ids: tuple[str, ...], localized) -> tuple[str, ...]:
    # The loader has checked every id; an unknown one (a library read lazily) is left out, not guessed.
    # Names in the handout's language (`localized`): they are printed on the card.
    return tuple(localized(library.exercises[i].name) for i in ids if i in library.exercises)


# -- guides ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GuideSection:
    section: Section
    blocks: tuple[Block, ...]
    exercise: RoutineEntry | None


@dataclass(frozen=True)
class GuideDoc:
    """A guide personalised for one recipient, its Markdown parsed: ready to render."""

    clinic: Clinic
    guide: Guide
    prepared_for: str
    intro: tuple[Block, ...]
    sections: tuple[GuideSection, ...]
    author_bio: tuple[Block, ...]
    cta_headline: str
    cta_text: tuple[Block, ...]
    page_size: str = "letter"
    language: str = "en"  # the labels' language spec; the content is already in it


def check_fields(fields: dict[str, str]) -> list[Problem]:
    """Personalisation values are text: no control characters or right-to-left text."""
    out = []
    for name, value in fields.items():
        why = text_problem(value) or (f"is {len(value)} characters; the limit is 200" if len(value) > 200 else None)
        if why:
            out.append(Problem(f"value {why}", "", 0, 0, name))
    return out


def _fill(text: str, values: dict[str, str]) -> str:
    # Placeholders were checked at load time; here only values are substituted (as text).
    return facts.Formatter().vformat(text, (), values) if "{" in text else text


def _fill_blocks(blocks: tuple[Block, ...], fill, clinic: Clinic) -> tuple[Block, ...]:
    """`fill` applied inside text spans, after parsing, so a value can never become markup; links
    that name a clinic fact (tel:{clinic.phone}) get its value."""
    from dataclasses import replace

    out = []
    for b in blocks:
        spans = tuple(replace(s, text=fill(s.text), href=facts.fill_link(s.href, clinic) if s.href else s.href)
                      for s in b.spans)
        items = tuple(_fill_blocks(item, fill, clinic) for item in b.items)
        out.append(replace(b, spans=spans, items=items))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _parsed(source: str) -> tuple[Block, ...]:
    """Parsed Markdown, kept: a batch composes the same guide for thousands of readers."""
    return markdown.parse(source)[0]


def compose_guide(library: Library, guide_id: str, fields: dict[str, str], page_size: str | None = None, *,
                  language: str | None = None, fallback: bool = False,
                  warnings: list[Problem] | None = None) -> GuideDoc:
    """The guide `guide_id` for one recipient, in `language` (default: the clinic's). Raises
    ContentError for unknown ids, missing fields or (unless `fallback`) missing translations."""
    guide = library.guides.get(guide_id)
    if guide is None:
        hint = did_you_mean(guide_id, library.guides)
        raise ContentError(problems=[Problem(f"unknown guide id '{guide_id}'{hint}", "", 0, 0, "guide")])
    lang = language_of(library, language)
    if len(lang.codes) > 1:
        raise ContentError(problems=[Problem(
            f"a guide is built in one language at a time; build one per language ({', '.join(lang.codes)}): "
            "bilingual pages are for end-of-visit handouts", "--language")])
    problems: list[Problem] = []
    localized = {}
    for key, obj in [("guide", guide), ("clinic", library.clinic)] + [
            (s.exercise, library.exercises[s.exercise]) for s in guide.sections if s.exercise]:
        try:
            localized[key] = in_language(library, obj, lang, fallback, warnings)
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems=problems)
    guide, clinic = localized["guide"], localized["clinic"]
    problems = check_fields(fields)
    for name, at in guide.placeholder_at:
        if not fields.get(name):
            option = "--for NAME" if name == "name" else f"--field {name}=VALUE"
            problems.append(Problem(f"no value for placeholder {{{name}}}; give it with {option} or a recipient column",
                                    at.file, at.line, at.col, at.field))
    if problems:
        raise ContentError(problems=problems)

    values = facts.with_clinic(fields, clinic)  # the clinic in the guide's language (its tagline)

    def blocks(text, personal: bool = False) -> tuple[Block, ...]:
        # Personal placeholders live only on the cover and in the call to action; elsewhere only
        # clinic facts are filled and other braces are text.
        if text is None:
            return ()
        parsed = _parsed(text.source)
        if personal:
            return _fill_blocks(parsed, lambda t: _fill(t, values), clinic)
        return _fill_blocks(parsed, lambda t: facts.fill(t, clinic), clinic) if "{clinic." in text.source else parsed

    sections = []
    for s in guide.sections:
        entry = None
        if s.exercise:
            ex = localized[s.exercise]
            entry = RoutineEntry(ex, ex.dosage)
        sections.append(GuideSection(s, blocks(s.body), entry))
    return GuideDoc(
        clinic=clinic, guide=guide, prepared_for=_fill(guide.prepared_for, values),
        intro=blocks(guide.intro), sections=tuple(sections),
        author_bio=blocks(guide.author.bio) if guide.author else (),
        cta_headline=_fill(guide.cta.headline, values) if guide.cta else "",
        cta_text=blocks(guide.cta.text, personal=True) if guide.cta else (),
        page_size=page_size or library.clinic.page_size,
        language=lang.spec,
    )
