"""Translatable content fields: located YAML -> Translated text (model), problems on the Reader.

A printed text field can be plain text (in the clinic's language) or one text per language:

    name: {en: Bridge, es: Puente}
    steps:                       # a whole list per language ...
      en: [Lie on your back., Lift your hips.]
      es: [Acuéstese boca arriba., Levante la cadera.]
    tips:                        # ... or each item with its translations
      - {en: Breathe out as you lift., es: Suelte el aire al subir.}

Every translation is checked like plain text (length, control characters, right-to-left script).
Which translations a handout needs is decided when it is built (handouts.i18n.content).
"""

from __future__ import annotations

import functools
import re

from handouts.translated import Translated, TranslatedList
from handouts.load.yamlfile import YList, YMap

CODE_RE = re.compile(r"^[a-z]{2,3}$")
SYNONYMS = {"sp": "es", "esp": "es", "eng": "en", "spa": "es"}


def is_translations(value) -> bool:
    """A mapping whose keys all look like language codes (en, es, pt ...)."""
    return isinstance(value, YMap) and bool(value) and all(isinstance(k, str) and CODE_RE.match(k) for k in value)


@functools.lru_cache(maxsize=64)
def _code_problem(code: str) -> str | None:
    from babel import localedata

    if localedata.exists(code):
        return None
    hint = f"; did you mean '{SYNONYMS[code]}'?" if code in SYNONYMS else ""
    return f"unknown language code '{code}'{hint} (use a two-letter code such as en or es)"


def _codes_ok(r, value: YMap, path: str) -> bool:
    ok = True
    for code in value:
        why = _code_problem(code)
        if why:
            r.add(why, value.key_at[code], f"{path}.{code}")
            ok = False
    return ok


def text_value(r, value, at, path: str, limit: int) -> Translated | None:
    """One printed text, plain or `{en: ..., es: ...}`; None (with problems on `r`) when unusable."""
    if isinstance(value, YMap) and not is_translations(value):
        r.add("expected text, or one text per language such as {en: Bridge, es: Puente}", at, path)
        return None
    if not isinstance(value, YMap):
        plain = r.text_value(value, at, path, limit)
        return Translated(plain, None, r.location(at, path)) if plain is not None else None
    ok = _codes_ok(r, value, path)
    texts = {}
    for code in value:
        if isinstance(value[code], str) and not value[code].strip():
            r.add("empty translation; write the text, or leave this language out", value.value_at[code],
                  f"{path}.{code}")
            continue
        text = r.text_value(value[code], value.value_at[code], f"{path}.{code}", limit)
        if text:
            texts[code] = text
    if not ok or len(texts) != len(value):
        return None
    places = {code: r.location(value.value_at[code], path) for code in texts}
    return Translated(next(iter(texts.values())), texts, r.location(at, path), places)


def text(r, node: YMap, key: str, path: str, limit: int) -> Translated | None:
    if node.get(key) is None or r.empty(node, key, path):
        return None
    return text_value(r, node[key], node.value_at[key], _join(path, key), limit)


def text_list(r, node: YMap, key: str, path: str, limit: int) -> tuple:
    """A list field: plain items, items with translations, or one whole list per language."""
    value = node.get(key)
    if value is None:
        return ()
    where = _join(path, key)
    if isinstance(value, YMap) and is_translations(value):
        if not _codes_ok(r, value, where):
            return ()
        lists = {}
        for code in value:
            items = _items(r, value[code], value.value_at[code], f"{where}.{code}", limit)
            if items:
                lists[code] = tuple(str(t) for t in items)
            elif isinstance(value[code], YList):
                r.add("empty list; give the items, or leave this language out", value.value_at[code],
                      f"{where}.{code}")
        if len(lists) != len(value):
            return ()
        # Items are translations of each other, one for one: a bilingual handout prints them side by
        # side, and an item one language lacks would vanish from its page (a warning sign, say).
        sizes = {code: len(items) for code, items in lists.items()}
        if len(set(sizes.values())) > 1:
            first = next(iter(sizes))
            for code, size in sizes.items():
                if size != sizes[first]:
                    r.add(f"{size} item(s) in '{code}' but {sizes[first]} in '{first}': give each item in every "
                          "language, one translation per item", value.value_at[code], f"{where}.{code}")
            return ()
        return TranslatedList(next(iter(lists.values())), lists, r.location(node.value_at[key], where))
    return tuple(_items(r, value, node.value_at[key], where, limit))


def _items(r, value, at, path: str, limit: int) -> list[Translated]:
    if not isinstance(value, YList):
        r.add("expected a list (lines starting with '- '), or one list per language (en: ..., es: ...)", at, path)
        return []
    out = []
    for i, (item, item_at) in enumerate(zip(value, value.item_at)):
        t = text_value(r, item, item_at, f"{path}[{i}]", limit)
        if t:
            out.append(t)
    return out


def placeholder_texts(value) -> list[str]:
    """Every language's text of a Translated value (placeholders are checked in each)."""
    return list(value.texts.values()) if isinstance(value, Translated) else [value] if value else []


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
