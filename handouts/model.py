"""The content model: plain frozen dataclasses, no I/O. Takes nothing from the package.

The loader builds these from YAML; compose and render read them. Nothing here knows about files,
YAML or reportlab.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

POSITIONS = (
    "lying on back",
    "lying on stomach",
    "side-lying",
    "hands and knees",
    "sitting",
    "standing",
    "kneeling",
    "half-kneeling",
    "standing on one leg",
    "sitting on a ball",
    "lying face down on a bench",
    "lying face up on a bench",
    "standing at a wall",
    "other",  # needs `position_label`: the clinician's own words
)
SIDES = ("left", "right", "each", "both", "alternating")
PAGE_SIZES = ("letter", "a4")
# standard: cards packed on the page; compact: the fridge sheet (8 exercises on 2 pages);
# large-print: 18 pt body, one exercise per page. Any of them may be printed in greyscale.
LAYOUTS = ("standard", "compact", "large-print")
PLACEMENTS = ("top", "right", "left")


@dataclass(frozen=True)
class Location:
    """Where a value came from: a file relative to the clinic folder, 1-based line and column."""

    file: str = ""
    line: int = 0
    col: int = 0
    field: str = ""


# Reps that are not a number, as written in content ("reps: until tired"): the code stored in the model.
OPEN_REPS = ("as-many-as-comfortable", "until-tired")


@dataclass(frozen=True)
class Dosage:
    """How much and how often. Every part is optional; missing parts are simply not printed.

    Sets, reps, hold, rest and duration may be ranges ("10-15"): the low end is in the plain field
    (`reps`), the high end in `*_max` (None when a single number was written). Times are seconds.
    """

    sets: int | None = None
    reps: int | None = None
    hold: int | None = None  # seconds
    rest: int | None = None  # seconds between sets
    side: str | None = None  # one of SIDES
    per_day: int | None = None
    per_week: int | None = None
    load: str | None = None  # e.g. "light band (yellow)"
    duration: int | None = None  # seconds, for walking, cycling, stretching for a time
    sets_max: int | None = None
    reps_max: int | None = None
    hold_max: int | None = None
    rest_max: int | None = None
    duration_max: int | None = None
    reps_open: str | None = None  # one of OPEN_REPS, instead of a number of reps

    def overlaid(self, other: Dosage) -> Dosage:
        """This dosage with every part that `other` sets replaced by other's value.

        A part is replaced whole: a visit's `reps: 8` over a default of `reps: 10-15` gives 8, not 8-15.
        """
        changes = {}
        for members in DOSAGE_PARTS.values():
            if any(getattr(other, name) is not None for name in members):
                changes.update({name: getattr(other, name) for name in members})
        return replace(self, **changes)


# What a content file can set (`dosage:` keys), and the model fields each one fills.
DOSAGE_PARTS = {
    "sets": ("sets", "sets_max"),
    "reps": ("reps", "reps_max", "reps_open"),
    "hold": ("hold", "hold_max"),
    "rest": ("rest", "rest_max"),
    "duration": ("duration", "duration_max"),
    "side": ("side",),
    "per_day": ("per_day",),
    "per_week": ("per_week",),
    "load": ("load",),
}
DOSAGE_KEYS = tuple(DOSAGE_PARTS)


@dataclass(frozen=True)
class Picture:
    file: str  # path relative to the clinic folder
    caption: str = ""
    where: Location = Location()


@dataclass(frozen=True)
class Source:
    """Where an imported exercise came from (`source:`), and which of its fields a person should review."""

    dataset: str
    record: str = ""
    licence: str = ""
    url: str = ""
    images: str = ""  # what is known about the pictures' origin, e.g. a licence warning
    guessed: tuple[str, ...] = ()  # fields the importer guessed, e.g. ("position",)


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    position: str  # one of POSITIONS
    steps: tuple[str, ...]
    position_label: str = ""  # the clinician's own words for the position, printed instead
    purpose: str = ""
    region: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    images: tuple[Picture, ...] = ()
    tips: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()
    dosage: Dosage = Dosage()
    video: str | None = None
    progressions: tuple[str, ...] = ()
    regressions: tuple[str, ...] = ()
    where: Location = Location()
    refs_at: tuple[Location, ...] = ()  # where each progression, then each regression, was written
    steps_at: Location = Location()  # where `steps:` is written (reading-level warnings point there)
    source: Source | None = None  # set for imported exercises


@dataclass(frozen=True)
class ProgramItem:
    """An exercise as used in a program or visit: its id, dosage changes and a note."""

    id: str
    dosage: Dosage = Dosage()
    note: str = ""
    where: Location = Location()


@dataclass(frozen=True)
class Program:
    id: str
    title: str
    items: tuple[ProgramItem, ...]
    purpose: str = ""
    goals: tuple[str, ...] = ()
    warning_signs: tuple[str, ...] = ()
    where: Location = Location()
    log_sheet: bool = False  # end handouts of this program with a weekly log sheet


@dataclass(frozen=True)
class Therapist:
    id: str
    name: str
    credentials: str = ""

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class Colors:
    primary: str = "#1F6F8B"
    accent: str = "#B35C1E"  # burnt orange: 4.7:1 with white either way round
    text: str = "#1E2A32"
    light: str = "#EAF3F7"


@dataclass(frozen=True)
class Fonts:
    """Either a packaged family name (fontpkg) or TTF files inside the clinic folder."""

    family: str = "Atkinson Hyperlegible"
    regular: str | None = None
    bold: str | None = None
    italic: str | None = None
    bold_italic: str | None = None
    fallbacks: tuple[str, ...] = ()  # packaged family names or .ttf files, for characters the font lacks
    places: tuple[tuple[str, Location], ...] = ()  # where each file (or the family) was named, by key


SECURITY = ("ssl", "starttls")  # there is deliberately no plain-text choice


@dataclass(frozen=True)
class EmailSettings:
    """How the clinic sends email (`email_delivery:` in clinic.yaml). The password itself is never
    part of the settings: only where to find it (an environment variable or an owner-only file)."""

    host: str
    sender: str  # the From address
    port: int = 465
    security: str = "ssl"  # one of SECURITY; ssl = implicit TLS (port 465), starttls (port 587)
    username: str = ""
    reply_to: str = ""
    require_consent: bool = True  # refuse to email a patient without recorded consent
    password_env: str = ""
    password_file: str = ""
    rate_per_minute: int = 60
    timeout_seconds: int = 30
    retries: int = 4  # attempts per message and run for temporary (4xx) failures
    retry_delay_seconds: float = 2.0  # first backoff; doubles per attempt, with jitter
    where: Location = Location()


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    tagline: str = ""
    logo: Picture | None = None
    colors: Colors = Colors()
    fonts: Fonts = Fonts()
    font_size: int = 13  # body text, points; never below 12
    image_dpi: int = 200  # pictures are resized to this resolution at the size they are printed
    website: str = ""
    booking_url: str = ""  # the page where a reader books a visit (guides' call to action, QR code)
    email: str = ""
    address: str = ""
    therapists: tuple[Therapist, ...] = ()
    disclaimer: str = ""
    page_size: str = "letter"
    where: Location = Location()
    email_delivery: EmailSettings | None = None
    sample: bool = False  # the bundled demo clinic: every page it makes says "SAMPLE"
    layout: str = "standard"  # the clinic's default, one of LAYOUTS
    greyscale: bool = False  # the clinic photocopies its handouts
    # The language of plain (untranslated) content and the default of every handout, with an
    # optional region for dates: 'en', 'en-GB', 'es-MX'.
    language: str = "en"

    def therapist(self, key: str) -> Therapist | None:
        return next((t for t in self.therapists if t.id == key), None)


@dataclass(frozen=True)
class Library:
    """Everything in a clinic folder, loaded and cross-checked."""

    clinic: Clinic
    exercises: dict[str, Exercise] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    guides: dict[str, "Guide"] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    """What a therapist chose at the end of a visit: the input of one routine handout."""

    patient: str = ""
    date: dt.date | None = None
    therapist: str = ""
    program: str | None = None
    remove: tuple[str, ...] = ()
    exercises: tuple[ProgramItem, ...] = ()
    note: str = ""
    page_size: str | None = None
    where: Location = Location()
    program_at: Location = Location()
    email_consent: bool | None = None  # recorded consent to unencrypted email; None = not recorded
    remove_at: tuple[Location, ...] = ()
    log_sheet: bool | None = None  # None: as the program says
    log_weeks: int | None = None  # log sheets to print (one per week); None: 1 when there is a log sheet
    layout: str | None = None  # one of LAYOUTS; None: the clinic's
    greyscale: bool | None = None  # None: the clinic's
    language: str | None = None  # 'es', 'es-MX' or bilingual 'es+en'; None = the clinic's


@dataclass(frozen=True)
class RoutineEntry:
    """One exercise card as it will be printed: the exercise with its final dosage and note."""

    exercise: Exercise
    dosage: Dosage
    note: str = ""
    harder: tuple[str, ...] = ()  # names of the exercise's progressions ("Too easy? Try: ...")
    easier: tuple[str, ...] = ()  # names of its regressions
    also: RoutineEntry | None = None  # a bilingual handout: the same card in its second language


@dataclass(frozen=True)
class Routine:
    """A composed end-of-visit handout, ready to render."""

    clinic: Clinic
    title: str
    entries: tuple[RoutineEntry, ...]
    patient: str = ""
    date: dt.date | None = None
    therapist: str = ""
    purpose: str = ""
    goals: tuple[str, ...] = ()
    warning_signs: tuple[str, ...] = ()
    note: str = ""
    page_size: str = "letter"
    log_weeks: int = 0  # weekly log sheets at the end (0: none)
    layout: str = "standard"
    greyscale: bool = False
    language: str = "en"  # the labels' language spec ('es-MX', 'es+en'); content is already in it
    also: Routine | None = None  # a bilingual handout ('es+en'): the same handout in its second language


@dataclass(frozen=True)
class Text:
    """Author-written Markdown with the place it starts (for errors found when it is parsed)."""

    source: str
    where: Location = Location()


@dataclass(frozen=True)
class Section:
    heading: str
    body: Text
    tip: int | None = None
    image: Picture | None = None
    placement: str = "top"  # top | right | left
    exercise: str | None = None  # "try this" card from the exercise library
    where: Location = Location()


@dataclass(frozen=True)
class Author:
    name: str
    credentials: str = ""
    photo: Picture | None = None
    bio: Text | None = None


@dataclass(frozen=True)
class CallToAction:
    headline: str
    text: Text | None = None
    phone: str = ""
    booking_url: str | None = None
    where: Location = Location()


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    cover_image: Picture | None = None
    prepared_for: str = ""  # may hold {placeholders}
    intro: Text | None = None
    author: Author | None = None
    cta: CallToAction | None = None
    disclaimer: str = ""
    where: Location = Location()
    placeholder_at: tuple[tuple[str, Location], ...] = ()  # each {field} used, with where it is
