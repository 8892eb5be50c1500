"""Schema: located YAML trees (yamlfile) -> model objects, with every problem collected.

Each `read_*` function takes a tree and a `Reader` for one file, returns a model object (or None when
the shape is too broken to build one) and leaves problems on the reader, each with line, column and
field path, so one run reports everything that is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlsplit

from handouts import facts, model as m
from handouts.errors import Problem
from handouts.theme import parse_color
from handouts.load import translations as tr
from handouts.load.yamlfile import YList, YMap

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
WHOLE_RE = re.compile(r"^[0-9]{1,6}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_TEXT = 5000  # one paragraph; reportlab's line breaking is quadratic in paragraph length
MAX_SHORT = 200  # names, titles, captions



# Words people reach for that the schema spells differently (difflib cannot see these).
SYNONYMS = {"title": "name", "titel": "name", "name": "title", "image": "images", "pictures": "images",
            "instructions": "steps", "dose": "dosage", "url": "video", "side_to_side": "side"}


def did_you_mean(word: str, choices) -> str:
    import difflib  # only needed when something is wrong

    choices = list(choices)
    if SYNONYMS.get(word) in choices:
        return f"; did you mean '{SYNONYMS[word]}'?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every ASCII Cc but tab and line feed
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def text_problem(value: str) -> str | None:
    """Why a piece of user text cannot be printed as typed, or None when it can."""
    # Only non-ASCII characters need Unicode's tables (no ASCII character is Cf or right-to-left):
    # the regexes pick them out at C speed, so checking a library's text in two languages stays cheap.
    others = set(_NON_ASCII.findall(value))
    bad = sorted(set(_ASCII_CONTROL.findall(value)) | {c for c in others if unicodedata.category(c) in ("Cc", "Cf")})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        return f"contains control or invisible formatting characters ({codes}); remove them"
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in others):
        return "right-to-left text (Hebrew, Arabic) is not supported yet"
    return None


EMPTY_VALUE = ("no value after the colon; write one or delete the line (YAML reads an unquoted # as the start of "
               "a comment: write colours in quotes, e.g. primary: \"#FFD700\")")


class Reader:
    """Collects problems for one file while its tree is read."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    # -- reporting -------------------------------------------------------------------------------
    def add(self, message: str, at: tuple[int, int] = (0, 0), field: str = "") -> None:
        self.problems.append(Problem(message, self.file, at[0], at[1], field))

    def location(self, at: tuple[int, int], field: str = "") -> m.Location:
        return m.Location(self.file, at[0], at[1], field)

    # -- shapes ----------------------------------------------------------------------------------
    def mapping(self, node, path: str, allowed, required=(), at=(1, 1)) -> YMap | None:
        """Check `node` is a mapping with only `allowed` keys and every `required` one."""
        if not isinstance(node, YMap):
            self.add(f"expected a mapping (key: value lines), got {_kind(node)}", _at(node, at), path)
            return None
        for key in node:
            if key not in allowed:
                self.add(f"unknown key '{key}'{did_you_mean(key, allowed)}", node.key_at[key], _join(path, key))
            elif node[key] is None:  # `primary: #FFD700` is a comment: never quietly use a default instead
                self.add(EMPTY_VALUE, node.value_at.get(key, node.key_at[key]), _join(path, key))
        for key in required:
            if key not in node:  # written but empty: reported above
                self.add(f"'{key}' is required", (node.line, node.col), _join(path, key))
        return node

    def items(self, node: YMap, key: str, path: str) -> list[tuple[object, tuple[int, int], str]]:
        """The items of a list field as (value, place, path); a missing or empty field gives []."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.add(f"expected a list (lines starting with '- '), got {_kind(value)}", node.value_at[key], _join(path, key))
            return []
        return [(v, at, f"{_join(path, key)}[{i}]") for i, (v, at) in enumerate(zip(value, value.item_at))]

    # -- scalars ---------------------------------------------------------------------------------
    def text(self, node: YMap, key: str, path: str = "", limit: int = MAX_TEXT) -> str | None:
        if node.get(key) is None:
            return None
        return self.text_value(node[key], node.value_at[key], _join(path, key), limit)

    def text_value(self, value, at, path: str, limit: int = MAX_TEXT) -> str | None:
        if not isinstance(value, str):
            self.add(f"expected text, got {_kind(value)}", at, path)
            return None
        value = value.strip()
        if len(value) > limit:
            self.add(f"text is {len(value):,} characters; the limit is {limit:,} (split it up)", at, path)
            return None
        why = text_problem(value) or facts.unknown_problem(value)
        if why:
            self.add(why, at, path)
            return None
        return value

    def text_list(self, node: YMap, key: str, path: str = "", limit: int = MAX_TEXT) -> tuple[str, ...]:
        out = []
        for value, at, item_path in self.items(node, key, path):
            text = self.text_value(value, at, item_path, limit)
            if text:
                out.append(text)
        return tuple(out)

    def whole(self, node: YMap, key: str, path: str, low: int, high: int) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        return self.whole_value(value, node.value_at[key], _join(path, key), low, high)

    def whole_value(self, value, at, path, low, high) -> int | None:
        if not isinstance(value, str) or not WHOLE_RE.match(value.strip()):
            self.add(f"expected a whole number, got {_show(value)}", at, path)
            return None
        number = int(value)
        if not low <= number <= high:
            self.add(f"must be between {low} and {high}, got {number}", at, path)
            return None
        return number

    def choice(self, node: YMap, key: str, path: str, choices) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        return self.choice_value(value, node.value_at[key], _join(path, key), choices)

    def choice_value(self, value, at, path, choices) -> str | None:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        shown = ", ".join(choices)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        self.add(f"expected one of: {shown}; got {_show(value)}{hint}", at, path)
        return None

    def identifier(self, value, at, path) -> str | None:
        if isinstance(value, str) and ID_RE.match(value.strip()):
            return value.strip()
        self.add(f"expected an id (lower-case letters, digits and hyphens), got {_show(value)}", at, path)
        return None

    def located_ids(self, node: YMap, key: str, path: str = "") -> list[tuple[str, m.Location]]:
        """The valid ids of a list field, each with where it was written."""
        out = []
        for value, at, item_path in self.items(node, key, path):
            ident = self.identifier(value, at, item_path)
            if ident:
                out.append((ident, self.location(at, item_path)))
        return out

    def url(self, node: YMap, key: str, path: str = "", schemes=("https",)) -> str | None:
        value = self.text(node, key, path, MAX_SHORT * 5)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes or not parts.netloc or " " in value:
            self.add(f"expected a web address starting with {' or '.join(s + '://' for s in schemes)}, got {_show(value)}",
                     node.value_at[key], _join(path, key))
            return None
        return value

    def date(self, node: YMap, key: str, path: str = "") -> dt.date | None:
        value = node.get(key)
        if value is None:
            return None
        return self.date_value(value, node.value_at[key], _join(path, key))

    def date_value(self, value, at, path) -> dt.date | None:
        if isinstance(value, str) and DATE_RE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"expected a real date written like 2026-11-21, got {_show(value)}", at, path)
        return None

    def color(self, node: YMap, key: str, path: str) -> str | None:
        value = self.text(node, key, path, 20)
        if value is None:
            return None
        try:
            parse_color(value)
        except ValueError as exc:
            self.add(str(exc), node.value_at[key], _join(path, key))
            return None
        return value

    def file_path(self, value, at, path) -> str | None:
        """A path written in content: relative, forward slashes, inside the clinic folder."""
        text = self.text_value(value, at, path, 500)
        if text is None:
            return None
        why = path_problem(text)
        if why:
            self.add(why, at, path)
            return None
        return text


def path_problem(text: str) -> str | None:
    if not text:
        return "empty path"
    if "\x00" in text:
        return "path contains a NUL character"
    if "\\" in text or re.match(r"^[A-Za-z]:", text):
        return f"use a relative path with forward slashes inside the clinic folder, got {_show(text)}"
    if text.startswith(("/", "~")):
        return f"absolute paths are not allowed; give a path inside the clinic folder, got {_show(text)}"
    if ".." in text.split("/"):
        return f"path escapes the clinic folder ('..'), got {_show(text)}"
    return None


# -- model readers ------------------------------------------------------------------------------

CLINIC_KEYS = ("name", "tagline", "logo", "colors", "fonts", "font_size", "image_dpi", "phone", "website", "email",
               "address", "therapists", "disclaimer", "page_size", "email_delivery",
               "booking_url", "layout", "greyscale", "language")
EXERCISE_KEYS = ("name", "position", "position_label", "purpose", "region", "tags", "equipment", "images", "steps", "tips",
                 "mistakes", "precautions", "dosage", "video", "progressions", "regressions",
                 "source")
PROGRAM_KEYS = ("title", "purpose", "goals", "exercises", "warning_signs", "log_sheet")
ITEM_KEYS = ("id", "dosage", "note")
VISIT_KEYS = ("patient", "date", "therapist", "program", "remove", "exercises", "note", "page_size", "email_consent",
              "log_sheet", "log_weeks", "layout", "greyscale", "language")
MAX_LOG_WEEKS = 12


def read_dosage(r: Reader, node, at, path: str) -> m.Dosage:
    """Numbers, ranges ("10-15"), times with units ("30 seconds") and open reps ("until tired")."""
    from handouts.load import dosage

    d = r.mapping(node, path, m.DOSAGE_KEYS, at=at)
    if d is None:
        return m.Dosage()
    values: dict = {}
    for key in ("sets", "reps", "per_day", "per_week", "hold", "rest", "duration"):
        value = d.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            r.add(f"expected a whole number, got {_kind(value)}", d.value_at[key], _join(path, key))
            continue
        try:
            if key in dosage.TIME_LIMITS:
                values[key], values[f"{key}_max"] = dosage.seconds(key, value)
            else:
                low, high, open_reps = dosage.count(key, value)
                values[key] = low
                if high is not None:
                    values[f"{key}_max"] = high
                if open_reps:
                    values["reps_open"] = open_reps
        except ValueError as exc:
            r.add(str(exc), d.value_at[key], _join(path, key))
    return m.Dosage(side=r.choice(d, "side", path, m.SIDES), load=tr.text(r, d, "load", path, MAX_SHORT), **values)


def read_clinic(r: Reader, tree) -> m.Clinic | None:
    c = r.mapping(tree, "", CLINIC_KEYS, required=("name", "phone"))
    if c is None:
        return None
    colors = m.Colors()
    if c.get("colors") is not None:
        cm = r.mapping(c["colors"], "colors", ("primary", "accent", "text", "light"), at=c.value_at["colors"])
        if cm is not None:
            given = {k: r.color(cm, k, "colors") for k in cm if k in ("primary", "accent", "text", "light")}
            colors = m.Colors(**{k: v for k, v in given.items() if v})
    fonts = m.Fonts()
    if c.get("fonts") is not None:
        fkeys = ("family", "regular", "bold", "italic", "bold_italic", "fallbacks")
        fm = r.mapping(c["fonts"], "fonts", fkeys, at=c.value_at["fonts"])
        if fm is not None:
            family = r.text(fm, "family", "fonts", MAX_SHORT)
            files = {k: r.file_path(fm[k], fm.value_at[k], f"fonts.{k}") for k in fkeys[1:5] if fm.get(k) is not None}
            if any(files.values()) and not files.get("regular"):
                r.add("'regular' is required when font files are given", (fm.line, fm.col), "fonts.regular")
            places = [(k, r.location(fm.value_at[k], f"fonts.{k}")) for k, v in files.items() if v]
            if family:
                places.append(("family", r.location(fm.value_at["family"], "fonts.family")))
            # Each fallback is a packaged family name or a .ttf file inside the clinic folder.
            fallbacks = []
            for value, at, path in r.items(fm, "fallbacks", "fonts"):
                text = r.text_value(value, at, path, MAX_SHORT)
                if text and text.lower().endswith((".ttf", ".otf", ".ttc", ".woff", ".woff2")):
                    text = r.file_path(value, at, path)
                if text:
                    fallbacks.append(text)
                    places.append((f"fallbacks[{len(fallbacks) - 1}]", r.location(at, path)))
            fonts = m.Fonts(family=family or m.Fonts.family, places=tuple(places), fallbacks=tuple(fallbacks),
                            **{k: v for k, v in files.items() if v})
    logo = None
    if c.get("logo") is not None:
        at = c.value_at["logo"]
        file = r.file_path(c["logo"], at, "logo")
        logo = m.Picture(file, "", r.location(at, "logo")) if file else None
    therapists = []
    for value, at, path in r.items(c, "therapists", ""):
        t = r.mapping(value, path, ("id", "name", "credentials"), required=("id", "name"), at=at)
        if t is None:
            continue
        ident = r.identifier(t.get("id"), t.value_at.get("id", at), f"{path}.id") if t.get("id") is not None else None
        name = r.text(t, "name", path, MAX_SHORT)
        if ident and name:
            therapists.append(m.Therapist(ident, name, r.text(t, "credentials", path, MAX_SHORT) or ""))
    name, phone = r.text(c, "name", "", MAX_SHORT), r.text(c, "phone", "", 40)
    if not (name and phone):
        return None
    return m.Clinic(
        name=name,
        phone=phone,
        tagline=tr.text(r, c, "tagline", "", MAX_SHORT) or "",
        logo=logo,
        colors=colors,
        fonts=fonts,
        font_size=r.whole(c, "font_size", "", 12, 20) or 13,
        image_dpi=r.whole(c, "image_dpi", "", 100, 600) or 200,
        website=r.url(c, "website", "", ("https", "http")) or "",
        booking_url=r.url(c, "booking_url", "") or "",
        email=r.text(c, "email", "", MAX_SHORT) or "",
        address=r.text(c, "address", "", MAX_SHORT) or "",
        therapists=tuple(therapists),
        disclaimer=tr.text(r, c, "disclaimer", "", 400) or "",
        page_size=r.choice(c, "page_size", "", m.PAGE_SIZES) or "letter",
        where=r.location((1, 1)),
        email_delivery=read_email_settings(r, c),
        layout=r.choice(c, "layout", "", m.LAYOUTS) or "standard",
        greyscale=bool(yes_no(r, c, "greyscale", "")),
        language=read_language(r, c, "language") or "en",
    )


def read_language(r: Reader, node: YMap, key: str, path: str = "") -> str | None:
    """A language spec ('es', 'en-GB', 'es+en') that has labels; the text as written, or None."""
    from handouts import i18n

    text = r.text(node, key, path, 20)
    if text is None:
        return None
    try:
        i18n.parse(text)
    except ValueError as exc:
        r.add(str(exc), node.value_at[key], _join(path, key))
        return None
    return text


def read_exercise(r: Reader, tree, ident: str) -> m.Exercise | None:
    e = r.mapping(tree, "", EXERCISE_KEYS, required=("name", "position", "steps"))
    if e is None:
        return None
    pictures = []
    for value, at, path in r.items(e, "images", ""):
        p = r.mapping(value, path, ("file", "caption"), required=("file",), at=at)
        if p is None or p.get("file") is None:
            continue
        file = r.file_path(p["file"], p.value_at["file"], f"{path}.file")
        if file:
            caption = tr.text(r, p, "caption", path, MAX_SHORT) or ""
            pictures.append(m.Picture(file, caption, r.location(p.value_at["file"], f"{path}.file")))
    steps = tr.text_list(r, e, "steps", "", MAX_TEXT)
    if e.get("steps") is not None and not steps and isinstance(e["steps"], YList) and not e["steps"]:
        r.add("give at least one step", e.value_at["steps"], "steps")
    dosage = read_dosage(r, e["dosage"], e.value_at["dosage"], "dosage") if e.get("dosage") is not None else m.Dosage()
    # Every field is read before deciding, so one run reports every problem in the file.
    fields = dict(
        name=tr.text(r, e, "name", "", MAX_SHORT), position=r.choice(e, "position", "", m.POSITIONS),
        purpose=tr.text(r, e, "purpose", "", MAX_TEXT) or "",
        region=r.text_list(e, "region", "", MAX_SHORT), tags=r.text_list(e, "tags", "", MAX_SHORT),
        equipment=r.text_list(e, "equipment", "", MAX_SHORT), tips=tr.text_list(r, e, "tips", "", MAX_TEXT),
        mistakes=tr.text_list(r, e, "mistakes", "", MAX_TEXT),
        precautions=tr.text_list(r, e, "precautions", "", MAX_TEXT), video=r.url(e, "video"),
        position_label=tr.text(r, e, "position_label", "", 60) or "",
    )
    if fields["position"] == "other" and not fields["position_label"] and e.get("position_label") is None:
        r.add("position 'other' needs position_label: the position in your own words, e.g. 'Standing in a doorway'",
              e.value_at["position"], "position")
    progressions, regressions = r.located_ids(e, "progressions"), r.located_ids(e, "regressions")
    source = read_source(r, e)  # read before deciding, like every field
    if not (fields["name"] and fields["position"] and steps):
        return None
    return m.Exercise(
        id=ident, steps=steps, images=tuple(pictures), dosage=dosage, **fields,
        progressions=tuple(i for i, _ in progressions), regressions=tuple(i for i, _ in regressions),
        where=r.location((1, 1)), refs_at=tuple(loc for _, loc in progressions + regressions),
        steps_at=r.location(e.key_at["steps"], "steps"),
        source=source,
    )


SOURCE_KEYS = ("dataset", "record", "licence", "url", "images", "guessed")
GUESSABLE = ("position", "region", "tags", "equipment", "name", "steps")


def read_source(r: Reader, e: YMap) -> m.Source | None:
    """`source:` of an imported exercise: dataset, record id, licence, url, a note on the pictures, and
    the fields the importer guessed (which `check` asks a person to review)."""
    if e.get("source") is None:
        return None
    s = r.mapping(e["source"], "source", SOURCE_KEYS, required=("dataset",), at=e.value_at["source"])
    if s is None:
        return None
    guessed = []
    for value, at, path in r.items(s, "guessed", "source"):
        field = r.choice_value(value, at, path, GUESSABLE)
        if field:
            guessed.append(field)
    texts = {k: r.text(s, k, "source", MAX_SHORT * 5) for k in ("dataset", "record", "licence", "images")}
    url = r.url(s, "url", "source", ("https", "http"))
    if not texts["dataset"]:
        return None
    return m.Source(url=url or "", guessed=tuple(guessed), **{k: v or "" for k, v in texts.items()})


def read_items(r: Reader, node: YMap, key: str) -> tuple[m.ProgramItem, ...]:
    out = []
    for value, at, path in r.items(node, key, ""):
        if isinstance(value, str):
            ident = r.identifier(value, at, path)
            if ident:
                out.append(m.ProgramItem(ident, where=r.location(at, path)))
            continue
        item = r.mapping(value, path, ITEM_KEYS, required=("id",), at=at)
        if item is None or item.get("id") is None:
            continue
        ident = r.identifier(item["id"], item.value_at["id"], f"{path}.id")
        dosage = m.Dosage()
        if item.get("dosage") is not None:
            dosage = read_dosage(r, item["dosage"], item.value_at["dosage"], f"{path}.dosage")
        note = tr.text(r, item, "note", path, MAX_TEXT) or ""
        if ident:
            out.append(m.ProgramItem(ident, dosage, note, r.location(item.value_at["id"], f"{path}.id")))
    return tuple(out)


def read_program(r: Reader, tree, ident: str) -> m.Program | None:
    p = r.mapping(tree, "", PROGRAM_KEYS, required=("title", "exercises"))
    if p is None:
        return None
    items = read_items(r, p, "exercises")
    title = tr.text(r, p, "title", "", MAX_SHORT)
    if isinstance(p.get("exercises"), YList) and not p["exercises"]:
        r.add("list at least one exercise", p.value_at["exercises"], "exercises")
    purpose = tr.text(r, p, "purpose", "", MAX_TEXT) or ""
    goals, signs = tr.text_list(r, p, "goals", "", MAX_TEXT), tr.text_list(r, p, "warning_signs", "", MAX_TEXT)
    log_sheet = bool(yes_no(r, p, "log_sheet", ""))
    if not (title and items):
        return None
    return m.Program(id=ident, title=title, items=items, purpose=purpose, goals=goals, warning_signs=signs,
                     where=r.location((1, 1)), log_sheet=log_sheet)


def read_visit(r: Reader, tree) -> m.Visit | None:
    v = r.mapping(tree, "", VISIT_KEYS)
    if v is None:
        return None
    program, program_at = None, m.Location(r.file)
    if v.get("program") is not None:
        program = r.identifier(v["program"], v.value_at["program"], "program")
        program_at = r.location(v.value_at["program"], "program")
    remove = r.located_ids(v, "remove")
    return m.Visit(
        patient=r.text(v, "patient", "", MAX_SHORT) or "",
        date=r.date(v, "date"),
        therapist=r.text(v, "therapist", "", MAX_SHORT) or "",
        program=program,
        remove=tuple(i for i, _ in remove),
        exercises=read_items(r, v, "exercises"),
        note=r.text(v, "note") or "",
        page_size=r.choice(v, "page_size", "", m.PAGE_SIZES),
        where=r.location((1, 1)),
        program_at=program_at,
        remove_at=tuple(loc for _, loc in remove),
        email_consent=yes_no(r, v, "email_consent", ""),
        log_sheet=yes_no(r, v, "log_sheet", ""),
        log_weeks=r.whole(v, "log_weeks", "", 1, MAX_LOG_WEEKS),
        layout=r.choice(v, "layout", "", m.LAYOUTS),
        greyscale=yes_no(r, v, "greyscale", ""),
        language=read_language(r, v, "language"),
    )


EMAIL_KEYS = ("host", "port", "security", "username", "from", "reply_to", "require_consent", "password_env",
              "password_file", "rate_per_minute", "timeout_seconds", "retries", "retry_delay_seconds")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")
SECONDS_RE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3})?$")


def yes_no(r: Reader, node: YMap, key: str, path: str) -> bool | None:
    """`yes` / `no` (written as text, like every value) -> True / False; absent -> None."""
    value = r.choice(node, key, path, ("yes", "no"))
    return None if value is None else value == "yes"


def read_email_settings(r: Reader, c: YMap) -> m.EmailSettings | None:
    """The optional `email_delivery:` block. Addresses are only shape-checked here; the mail package
    validates them strictly. A password written in the file is refused: it belongs in an
    environment variable or an owner-only file."""
    if c.get("email_delivery") is None:
        return None
    at = c.value_at["email_delivery"]
    e = r.mapping(c["email_delivery"], "email_delivery", EMAIL_KEYS + ("password",), required=("host", "from"), at=at)
    if e is None:
        return None
    path = "email_delivery"
    before = len(r.problems)
    if "password" in e:
        r.add("never write the password in clinic.yaml; name an environment variable (password_env) or an "
              "owner-only file (password_file)", e.key_at["password"], f"{path}.password")
    host = r.text(e, "host", path, 253)
    if host is not None and not HOST_RE.match(host):
        r.add(f"expected a host name such as smtp.example.com, got {_show(host)}", e.value_at["host"], f"{path}.host")
    sender = r.text(e, "from", path, MAX_SHORT)
    reply_to = r.text(e, "reply_to", path, MAX_SHORT) or ""
    for key, value in (("from", sender), ("reply_to", reply_to)):
        if value and (value.count("@") != 1 or any(ch.isspace() or ch in "<>,;\"" for ch in value)):
            r.add(f"expected a plain address such as hello@clinic.example, got {_show(value)}", e.value_at[key],
                  f"{path}.{key}")
    security = r.choice(e, "security", path, m.SECURITY) or "ssl"
    port = r.whole(e, "port", path, 1, 65535) or (465 if security == "ssl" else 587)
    env = r.text(e, "password_env", path, 64) or ""
    if env and not ENV_NAME_RE.match(env):
        r.add(f"expected the name of an environment variable, e.g. HANDOUTS_SMTP_PASSWORD, got {_show(env)}",
              e.value_at["password_env"], f"{path}.password_env")
    file = r.text(e, "password_file", path, 500) or ""
    if env and file:
        r.add("give password_env or password_file, not both", e.key_at["password_file"], f"{path}.password_file")
    username = r.text(e, "username", path, MAX_SHORT) or ""  # without a password source: exit 78 when sending
    delay = 2.0
    if e.get("retry_delay_seconds") is not None:
        text = e["retry_delay_seconds"]
        if isinstance(text, str) and SECONDS_RE.match(text.strip()) and 0 < float(text) <= 600:
            delay = float(text)
        else:
            r.add(f"expected seconds between 0.001 and 600, e.g. 2 or 0.5, got {_show(text)}",
                  e.value_at["retry_delay_seconds"], f"{path}.retry_delay_seconds")
    settings = m.EmailSettings(
        host=host or "", sender=sender or "", port=port, security=security, username=username,
        reply_to=reply_to, require_consent=yes_no(r, e, "require_consent", path) is not False,
        password_env=env, password_file=file,
        rate_per_minute=r.whole(e, "rate_per_minute", path, 1, 100000) or 60,
        timeout_seconds=r.whole(e, "timeout_seconds", path, 1, 600) or 30,
        retries=r.whole(e, "retries", path, 1, 10) or 4, retry_delay_seconds=delay,
        where=r.location(at, path),
    )
    return settings if len(r.problems) == before else None


# -- small helpers --------------------------------------------------------------------------------

def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(node, default):
    return (node.line, node.col) if isinstance(node, (YMap, YList)) else default


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    return f"text {_show(value)}"


def _show(value) -> str:
    text = repr(value) if isinstance(value, str) else _kind(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def read_exercise_option(r: Reader, spec: str) -> m.ProgramItem | None:
    """`dead-bug:sets=2,reps=8,side=each` (from --exercise) -> a ProgramItem; problems go to `r`."""
    ident, _, rest = spec.partition(":")
    ident = r.identifier(ident.strip(), (0, 0), "")
    node = YMap(0, 0)
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not value.strip():
            r.add(f"expected key=value, got {_show(pair)}", field=key)
            continue
        if key in node:
            r.add(f"'{key}' given twice", field=key)
            continue
        node[key] = value.strip()
        node.key_at[key] = node.value_at[key] = (0, 0)
    dosage = read_dosage(r, node, (0, 0), "") if node else m.Dosage()
    return m.ProgramItem(ident, dosage, where=m.Location(r.file)) if ident else None


GUIDE_KEYS = ("title", "subtitle", "cover_image", "prepared_for", "intro", "sections", "author", "cta", "disclaimer")
SECTION_KEYS = ("heading", "tip", "body", "image", "exercise")
PLACEHOLDER_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def placeholders(text: str) -> list[str]:
    """The {field} names in `text`; raises ValueError for unbalanced braces or odd names."""
    import string

    names = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name.startswith("clinic.") and not (spec or conversion):  # a clinic fact, filled from clinic.yaml
            why = facts.unknown_problem("{" + name + "}")
            if why:
                raise ValueError(why)
            continue
        if spec or conversion or not PLACEHOLDER_RE.match(name):
            raise ValueError(f"placeholders look like {{name}} (lower-case letters, digits, _), got '{{{name}}}'")
        names.append(name)
    return names


def markdown_text(r: Reader, node: YMap, key: str, path: str) -> m.Text | None:
    """Author Markdown: checked now (links, HTML, unsupported blocks) so check reports it."""
    from handouts.load import markdown

    text = tr.text(r, node, key, path, MAX_TEXT)
    if text is None:
        return None
    at = node.value_at[key]
    value = node[key]
    for code, source in text.texts.items():
        where = value.value_at[code] if code else at  # each translation from its own line
        _, problems = markdown.parse(source, r.file, where[0], _join(path, key) + (f".{code}" if code else ""))
        r.problems.extend(problems)
    # Problems found later (a missing clinic fact, text too long beside its picture) point at the text
    # as first written: for translations, that language's text, not the `en:` key above it.
    first = text.places.get(next(iter(text.texts))) if text.places else None
    return m.Text(text, first or r.location(at, _join(path, key)))


def _picture(r: Reader, node: YMap, key: str, path: str, caption: str = "") -> m.Picture | None:
    if node.get(key) is None:
        return None
    at = node.value_at[key]
    file = r.file_path(node[key], at, _join(path, key))
    return m.Picture(file, caption, r.location(at, _join(path, key))) if file else None


def read_guide(r: Reader, tree, ident: str) -> m.Guide | None:
    g = r.mapping(tree, "", GUIDE_KEYS, required=("title", "sections"))
    if g is None:
        return None
    used: list[tuple[str, m.Location]] = []

    def with_placeholders(node: YMap, key: str, path: str, limit: int = MAX_SHORT) -> str:
        text = tr.text(r, node, key, path, limit) or ""
        names: list[str] = []
        for each in tr.placeholder_texts(text):  # each language's text: a placeholder may be in one only
            try:
                found = placeholders(each)
            except ValueError as exc:
                r.add(str(exc), node.value_at[key], _join(path, key))
                continue
            names += found if not names else [n for n in found if n not in names]
        used.extend((name, r.location(node.value_at[key], _join(path, key))) for name in names)
        return text

    sections = []
    for value, at, path in r.items(g, "sections", ""):
        sm = r.mapping(value, path, SECTION_KEYS, required=("heading", "body"), at=at)
        if sm is None:
            continue
        image, placement = None, "top"
        if sm.get("image") is not None:
            im = r.mapping(sm["image"], f"{path}.image", ("file", "caption", "placement"), required=("file",),
                           at=sm.value_at["image"])
            if im is not None and im.get("file") is not None:
                image = _picture(r, im, "file", f"{path}.image", tr.text(r, im, "caption", f"{path}.image", MAX_SHORT) or "")
                placement = r.choice(im, "placement", f"{path}.image", m.PLACEMENTS) or "top"
        exercise = None
        if sm.get("exercise") is not None:
            exercise = r.identifier(sm["exercise"], sm.value_at["exercise"], f"{path}.exercise")
        heading = tr.text(r, sm, "heading", path, MAX_SHORT)
        body = markdown_text(r, sm, "body", path)
        if heading and body:
            sections.append(m.Section(heading, body, r.whole(sm, "tip", path, 1, 99), image, placement, exercise,
                                      r.location(at, path)))
    author = None
    if g.get("author") is not None:
        am = r.mapping(g["author"], "author", ("name", "credentials", "photo", "bio"), required=("name",),
                       at=g.value_at["author"])
        if am is not None and am.get("name") is not None:
            author = m.Author(r.text(am, "name", "author", MAX_SHORT) or "", tr.text(r, am, "credentials", "author",
                              MAX_SHORT) or "", _picture(r, am, "photo", "author"), markdown_text(r, am, "bio", "author"))
    cta = None
    if g.get("cta") is not None:
        cm = r.mapping(g["cta"], "cta", ("headline", "text", "phone", "booking_url"), required=("headline",),
                       at=g.value_at["cta"])
        if cm is not None:
            headline = with_placeholders(cm, "headline", "cta")
            text = markdown_text(r, cm, "text", "cta")
            if text is not None:
                with_placeholders(cm, "text", "cta", MAX_TEXT)
            cta = m.CallToAction(headline, text, r.text(cm, "phone", "cta", 40) or "",
                                 r.url(cm, "booking_url", "cta"), r.location(g.value_at["cta"], "cta"))
    title = tr.text(r, g, "title", "", MAX_SHORT)
    if not title or not sections:
        if g.get("sections") is not None and not sections and not r.problems:
            r.add("list at least one section", g.value_at["sections"], "sections")
        return None
    return m.Guide(
        id=ident, title=title, sections=tuple(sections), subtitle=tr.text(r, g, "subtitle", "", MAX_SHORT) or "",
        cover_image=_picture(r, g, "cover_image", ""), prepared_for=with_placeholders(g, "prepared_for", ""),
        intro=markdown_text(r, g, "intro", ""), author=author, cta=cta,
        disclaimer=tr.text(r, g, "disclaimer", "", 600) or "", where=r.location((1, 1)), placeholder_at=tuple(used),
    )
