"""Catalogues: a language code -> its fixed words (labels, warning signs, email defaults, dosage words).

One YAML file per language next to this module (`en.yaml`, `es.yaml`). Why YAML and not gettext:
clinics already write YAML, a catalogue is read as it is (no .po -> .mo compile step in a build
or a clinic's hands), keys are stable names rather than English sentences (so fixing an English
label does not orphan its translations), and a key-by-key test can hold every language complete.
Plural forms follow Unicode CLDR rules through Babel (`Locale.plural_form`), the same data
gettext catalogues would use.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLURAL_KEYS = ("zero", "one", "two", "few", "many", "other")


def available() -> tuple[str, ...]:
    """The language codes that have a catalogue, e.g. ('en', 'es')."""
    return tuple(sorted(p.stem for p in HERE.glob("*.yaml")))


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    out = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not _is_plural(value):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _is_plural(value: dict) -> bool:
    return bool(value) and all(str(k) in PLURAL_KEYS or str(k).startswith("=") for k in value)


class Catalogue:
    """The words of one language. `text` for a label, `plural` for words that change with a number,
    `texts` for a list (e.g. the default warning signs)."""

    def __init__(self, code: str, entries: dict[str, object]):
        self.code = code
        self.entries = entries
        self.name = str(entries.get("language", code))

    @functools.cached_property
    def _plural_form(self):
        # CLDR's plural rule for the language; loaded on first use (Babel's locale data costs ~30 ms).
        from babel import Locale

        return Locale.parse(self.code).plural_form

    def text(self, key: str, **values) -> str:
        return _format(self.template(key), values)

    def template(self, key: str) -> str:
        """The text with its {placeholders} left in (e.g. a built-in email template, filled later)."""
        value = self.entries[key]
        if not isinstance(value, str):
            raise TypeError(f"catalogue {self.code}: {key} is not a single text")
        return value

    def plural(self, key: str, count: int, **values) -> str:
        """The form of `key` for the number `count`: an exact '=count' form first, then CLDR's
        category. {n} is `count` unless `values` gives it (e.g. a range such as '10 to 15')."""
        forms = self.entries[key]
        values = {"n": count, **values}
        if not isinstance(forms, dict):
            return _format(str(forms), values)
        form = forms.get(f"={count}") or forms.get(self._plural_form(count)) or forms["other"]
        return _format(form, values)

    def texts(self, key: str) -> tuple[str, ...]:
        return tuple(self.entries[key])

    def has(self, key: str) -> bool:
        return key in self.entries


def _format(template: str, values: dict) -> str:
    # str.format_map, but a catalogue can only name placeholders; it cannot reach attributes.
    return template.format_map(values) if "{" in template else template


def placeholders(value) -> set[str]:
    """The {names} a catalogue value uses (for the completeness test)."""
    texts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(str(text)) if name}


@functools.cache
def catalogue(code: str) -> Catalogue:
    """The catalogue of language `code` (which must be one of available())."""
    import yaml

    path = HERE / f"{code}.yaml"
    if code not in available():
        raise KeyError(code)
    # Our own packaged files: a plain safe load is enough (clinic files go through load/ instead);
    # libyaml's loader when present, several times faster than the pure-Python one.
    tree = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Catalogue(code, _flatten(tree))
