"""Translated content text: a text or list written once per language (`name: {en: Bridge, es: Puente}`).
Takes only Location from the model; load/translations.py makes these and i18n/content.py picks one
language's text from them.
"""

from __future__ import annotations

from handouts.model import Location


class Translated(str):
    """Content text that can be printed in more than one language (`name: {en: Bridge, es: Puente}`).

    As a str it is the text as first written, so code that does not care about languages reads it
    as before; `texts` maps each language code to its text, the key "" standing for plain text
    written in the clinic's own language; `where` says where it was written (for a missing
    translation). handouts.i18n.content picks the text of one language.
    """

    texts: dict
    where: Location
    places: dict  # language code -> where that language's text starts (for problems found in it)

    def __new__(cls, value: str, texts: dict | None = None, where: Location | None = None,
                places: dict | None = None):
        self = super().__new__(cls, value)
        self.texts = dict(texts) if texts is not None else {"": str(value)}
        self.where = where or Location()
        self.places = dict(places or {})
        return self


class TranslatedList(tuple):
    """A list of texts written once per language (`steps: {en: [...], es: [...]}`); like Translated."""

    texts: dict
    where: Location

    def __new__(cls, items=(), texts: dict | None = None, where: Location | None = None):
        self = super().__new__(cls, items)
        self.texts = dict(texts) if texts is not None else {"": tuple(items)}
        self.where = where or Location()
        return self

    def __getnewargs__(self):
        return (tuple(self),)
