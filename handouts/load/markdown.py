"""Markdown (a small, safe subset) -> plain blocks for the renderer. No reportlab here.

Guide authors write paragraphs, **bold**, *italic*, bullet and numbered lists, sub-headings and
links. markdown-it-py parses; this module walks its tokens, keeps what we print and reports what we
refuse with a line number: raw HTML, images, code blocks, quotes, and links whose scheme is not
https, mailto or tel (the catalogue's `javascript:` and `file:` links). Text stays text: the
renderer escapes every span before it reaches a reportlab Paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from handouts import facts
from handouts.errors import Problem

ALLOWED_SCHEMES = ("https", "mailto", "tel")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Block:
    kind: str  # "para", "heading", "bullets" or "numbers"
    spans: tuple[Span, ...] = ()
    items: tuple[tuple[Block, ...], ...] = ()  # for lists: each item's blocks
    start: int = 1  # first number of a numbered list


_parser = None


def _md():
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark")
        # Let every link through the parser so a refused scheme is reported, not printed as
        # literal "[text](javascript:...)" the way markdown-it's own validator would leave it.
        _parser.validateLink = lambda url: True
    return _parser


def link_problem(href: str) -> str | None:
    scheme = urlsplit(href).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "a relative link"
        return f"links must start with https:, mailto: or tel:, not {shown} ({href[:60]})"
    return None


def parse(text: str, file: str = "", line: int = 0, field: str = "") -> tuple[tuple[Block, ...], list[Problem]]:
    """Blocks for `text`, and problems located at `file`:`line` + the Markdown line."""
    problems: list[Problem] = []
    tokens = _md().parse(text)

    def report(message: str, token_map) -> None:
        offset = token_map[0] if token_map else 0
        problems.append(Problem(message, file, line + offset if line else 0, 0, field))

    def inline(token) -> tuple[Span, ...]:
        spans: list[Span] = []
        bold = italic = 0
        href: str | None = None
        for child in token.children or ():
            kind = child.type
            if kind in ("text", "code_inline"):
                spans.append(Span(child.content, bold > 0, italic > 0, href))
            elif kind == "softbreak":
                spans.append(Span(" ", bold > 0, italic > 0, href))
            elif kind == "hardbreak":
                spans.append(Span("\n", bold > 0, italic > 0, href))
            elif kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "link_open":
                target = str(child.attrs.get("href", ""))
                decoded, fact = facts.link_target(target)  # e.g. tel:{clinic.phone}, filled when composed
                why = facts.link_problem(target) if fact else link_problem(target)
                if why:
                    report(why, token.map)
                href = None if why else decoded
            elif kind == "link_close":
                href = None
            elif kind == "html_inline":
                report(f"HTML is not allowed in text ({child.content[:30]}); use **bold** or *italic*", token.map)
            elif kind == "image":
                report("pictures inside text are not supported; use the section's image field", token.map)
            else:
                report(f"unsupported Markdown ({kind})", token.map)
        return tuple(spans)

    def blocks(start: int, stop: int) -> tuple[tuple[Block, ...], int]:
        out: list[Block] = []
        i = start
        while i < stop:
            tok = tokens[i]
            kind = tok.type
            if kind == "paragraph_open":
                out.append(Block("para", inline(tokens[i + 1])))
                i += 3
            elif kind == "heading_open":
                out.append(Block("heading", inline(tokens[i + 1])))
                i += 3
            elif kind in ("bullet_list_open", "ordered_list_open"):
                close = _closing(tokens, i)
                items, j = [], i + 1
                while j < close:
                    item_close = _closing(tokens, j)  # tokens[j] is list_item_open
                    inner, _ = blocks(j + 1, item_close)
                    items.append(inner)
                    j = item_close + 1
                number = int(tok.attrs.get("start", 1)) if kind == "ordered_list_open" else 1
                out.append(Block("bullets" if kind == "bullet_list_open" else "numbers",
                                 items=tuple(items), start=number))
                i = close + 1
            else:
                names = {"html_block": "HTML", "fence": "code blocks", "code_block": "code blocks (indented text)",
                         "blockquote_open": "quotes (>)", "hr": "horizontal rules"}
                report(f"{names.get(kind, kind)} not supported in guide text", tok.map)
                i = _closing(tokens, i) + 1 if kind.endswith("_open") else i + 1
        return tuple(out), i

    result, _ = blocks(0, len(tokens))
    return result, problems


def _closing(tokens, index: int) -> int:
    """Index of the token that closes the one opened at `index`."""
    depth = 0
    for j in range(index, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def plain_text(blocks: tuple[Block, ...]) -> str:
    """The words of `blocks` without formatting (for reading-level checks and tests)."""
    parts = []
    for block in blocks:
        if block.spans:
            parts.append("".join(s.text for s in block.spans))
        for item in block.items:
            parts.append(plain_text(item))
    return "\n".join(parts)
