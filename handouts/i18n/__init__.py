"""i18n: a language -> the fixed words on pages and in emails, dosage words, and dates by locale.

    from handouts import i18n
    words = i18n.words("es")            # or i18n.words(i18n.parse("es+en"))
    words.text("card.how_much")         # 'Cuánto'
    words.all("card.how_much")          # ('Cuánto',) or, bilingual, ('Cuánto', 'How much')

Catalogues are data (`handouts/i18n/<code>.yaml`, see catalogue.py for why YAML): a new language
is one more file. Content translations (`name: {en: Bridge, es: Puente}`) are in content.py.

    language.py   a spec ('es', 'es-MX', 'es+en') -> a checked Language; dates by locale (Babel)
    catalogue.py  a language code -> its fixed words (en.yaml, es.yaml, ...)
    content.py    content with translations -> the same content in one language; missing translations
"""

from __future__ import annotations

import functools

from handouts.i18n.catalogue import Catalogue, available, catalogue
from handouts.i18n.language import Language, language_name, parse, unsupported

__all__ = ["Catalogue", "Language", "Words", "available", "catalogue", "language_name", "parse", "unsupported",
           "words"]


class Words:
    """The catalogues of a Language: the main one first, then (bilingual) the second."""

    def __init__(self, language: Language):
        self.language = language
        self.catalogues = tuple(catalogue(code) for code in language.codes)
        self.main = self.catalogues[0]

    @property
    def bilingual(self) -> bool:
        return len(self.catalogues) > 1

    def text(self, key: str, **values) -> str:
        """The label in the main language."""
        return self.main.text(key, **values)

    def all(self, key: str, **values) -> tuple[str, ...]:
        """The label in each language of the handout (one, or two for a bilingual one)."""
        return tuple(c.text(key, **values) for c in self.catalogues)

    def joined(self, key: str, sep: str = " / ", **values) -> str:
        """'Página 1 de 2 / Page 1 of 2' where only plain text fits (page header and footer)."""
        return sep.join(dict.fromkeys(self.all(key, **values)))


@functools.lru_cache(maxsize=32)
def words(language: Language | str = "en") -> Words:
    """Words for a Language or a spec such as 'es' or 'es+en' (specs are parsed; bad ones raise ValueError)."""
    return Words(parse(language) if isinstance(language, str) else language)
