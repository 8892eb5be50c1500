"""Render: composed documents + Theme + prepared images -> PDF bytes. The only reportlab user.

Submodules: `layout` (sizes, plain numbers), `fonts` (font registration and glyph coverage),
`text` (user text -> safe Paragraph markup), `pages` (header, footer, page numbering),
`routine` (the end-of-visit handout). Import them directly; this package imports nothing heavy,
so `handouts --help` never loads reportlab.
"""
