"""reportlab's layout failures as content errors, at the document boundary."""

from __future__ import annotations

from contextlib import contextmanager

from handouts.errors import ContentError, Problem


@contextmanager
def layout_errors(what: str):
    """Turn reportlab's LayoutError into a ContentError naming `what`. reportlab's own message
    quotes the text of the block (patient names and notes), so only the kind of failure is kept."""
    from reportlab.platypus.doctemplate import LayoutError

    try:
        yield
    except LayoutError:
        raise ContentError(problems=[Problem("a block is too large to fit on one page; shorten the longest "
                                             "note, step or paragraph", what)]) from None
