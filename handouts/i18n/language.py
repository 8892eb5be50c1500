"""Languages: a spec as a user writes it ('es', 'es-MX', 'es+en') -> a checked Language.

A spec names one language, or two joined by '+' for a bilingual handout (the first is the main
one). A region ('en-GB', 'es-MX') only changes how dates are written; content and labels are
per language. Babel (Unicode CLDR) names languages in messages and writes dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from handouts.i18n.catalogue import available, catalogue

SPEC_RE = re.compile(r"^([a-z]{2,3})(?:[-_]([A-Za-z]{2}|[0-9]{3}))?$")
DEFAULT_REGION = {"en": "US", "es": "US"}  # a US product: Spanish for US clinics unless told otherwise
CJK = ("zh", "ja", "ko")


@dataclass(frozen=True)
class Language:
    """One or two languages (bilingual) and the region dates are written for."""

    codes: tuple[str, ...]
    region: str = ""

    @property
    def primary(self) -> str:
        return self.codes[0]

    @property
    def tag(self) -> str:
        """'es', or 'es+en' for a bilingual handout."""
        return "+".join(self.codes)

    @property
    def spec(self) -> str:
        """What parse() reads back: 'es-MX', 'es+en'."""
        first = f"{self.primary}-{self.region}" if self.region else self.primary
        return "+".join((first,) + self.codes[1:])

    @property
    def locale(self) -> str:
        """The Babel locale dates are written in, e.g. 'es_US' (or 'es' when Babel has no es_XX)."""
        from babel import localedata

        region = self.region or DEFAULT_REGION.get(self.primary, "")
        wanted = f"{self.primary}_{region}" if region else self.primary
        return wanted if localedata.exists(wanted) else self.primary

    def long_date(self, day: dt.date) -> str:
        """'November 30, 2026' (en-US), '30 November 2026' (en-GB), '30 de noviembre de 2026' (es)."""
        from babel.dates import format_date

        return format_date(day, "long", locale=self.locale)


def language_name(code: str) -> str:
    """'Spanish' for 'es', from CLDR; the code itself when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).english_name or code
    except (UnknownLocaleError, ValueError):
        return code


def unsupported(code: str) -> str:
    """Why language `code` cannot be used (there is no catalogue for it yet)."""
    from babel import Locale, UnknownLocaleError

    name = language_name(code)
    have = ", ".join(f"{c} ({language_name(c)})" for c in available())
    try:
        rtl = Locale.parse(code).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        rtl = False
    if rtl:
        return f"'{code}' ({name}) is written right to left, which handouts does not support yet; available: {have}"
    if code in CJK:
        return f"'{code}' ({name}) needs fonts and line breaking that handouts does not have yet; available: {have}"
    return f"there are no labels for '{code}' ({name}) yet; available: {have} (see 'Adding a language' in the README)"


COMMON_REGIONS = {"en": ("US", "GB", "CA", "AU", "IE", "NZ"), "es": ("US", "MX", "ES", "AR", "CO", "PR")}
ALIASES = {"UK": "GB"}  # what people write for the United Kingdom; CLDR's code is GB


def _check_region(code: str, region: str, part: str) -> None:
    """ValueError when CLDR has no locale for `code` in `region` (e.g. 'en-UK': dates would silently be
    written the US way)."""
    from babel import localedata

    if localedata.exists(f"{code}_{region}"):
        return
    import difflib

    known = sorted(i.split("_")[1] for i in localedata.locale_identifiers()
                   if i.startswith(code + "_") and len(i) == len(code) + 3)
    guess = ALIASES.get(region) or next(iter(difflib.get_close_matches(region, known, n=1, cutoff=0.5)), "")
    hint = f"; did you mean {code}-{guess}?" if guess in known else ""
    common = ", ".join(f"{code}-{r}" for r in COMMON_REGIONS.get(code, known[:6]) if r in known)
    raise ValueError(f"'{part}': there is no region '{region}' for {language_name(code)}{hint} "
                     f"(regions only change how dates are written; e.g. {common})")


def parse(spec: str, region: str = "") -> Language:
    """A language spec -> Language; ValueError with a message for the user when it cannot be used.

    `region` is used when the spec names none (e.g. the clinic's 'es-MX' for '--language es')."""
    parts = [p.strip() for p in str(spec).split("+")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise ValueError(f"expected a language such as es, es-MX or es+en (two at most), got {spec!r}")
    codes, regions = [], []
    for part in parts:
        match = SPEC_RE.match(re.sub(r"^[A-Za-z]+", lambda m: m.group(0).lower(), part))  # 'ES' from a spreadsheet
        if not match:
            raise ValueError(f"expected a language code such as en, es or es-MX, got {part!r}")
        code = match.group(1)  # 'ES' or 'Es' from a spreadsheet is 'es
        if code not in available():
            raise ValueError(unsupported(code))
        codes.append(code)
        regions.append((match.group(2) or "").upper())
        if regions[-1]:
            _check_region(code, regions[-1], part)
    if len(codes) == 2 and codes[0] == codes[1]:
        raise ValueError(f"a bilingual handout needs two different languages, got {spec!r}")
    for code in codes:
        catalogue(code)
    return Language(tuple(codes), regions[0] or region)
