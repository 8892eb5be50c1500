"""Render: composed documents + Theme + prepared images -> PDF bytes. The only reportlab user.

    layout.py      sizes shared with compose-time image preparation (plain numbers, no reportlab)
    fonts.py       a Theme's font chain -> registered fonts; text -> runs per font; missing glyphs
    styles.py      paragraph styles per layout (patient text never below 12 pt)
    text.py        user text -> safe Paragraph markup; labels and bilingual text
    flowables.py   flowables of our own (pictures, QR codes, tick boxes)
    pages.py       the branded header and footer, "Page X of Y"
    guard.py       reportlab's layout failures -> content errors
    cards.py       the exercise card (routine handouts and guides' "Try this" boxes)
    routine.py     the end-of-visit handout (standard layout, the STOP box) -> PDF bytes
    compact.py     the compact layout (the fridge sheet)
    largeprint.py  the large-print layout
    logsheet.py    the weekly log sheet
    markdown.py    a guide's Markdown blocks -> flowables (every span escaped)
    guide.py       a lead-magnet guide -> PDF bytes
    splice.py      a guide's shared pages + one reader's personal pages -> PDF (batches)
    mailout.py     every reader's guide of a batch in one PDF for a print shop

Import the modules directly; this package imports nothing heavy, so `handouts --help` never loads
reportlab.
"""
