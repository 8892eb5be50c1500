"""Lead-magnet guide: a GuideDoc -> PDF bytes.

Pages: a full cover (hero picture, title, subtitle, "Prepared for ...", clinic logo and contacts);
contents with real, clickable page numbers and the introduction; one page per tip (number badge,
heading, picture placed top/left/right, Markdown text, an optional "Try this" exercise card); the
author page; the call to action (large phone number, QR code for the booking page) and disclaimer.
Every section is a PDF bookmark. Running header and footer from page 2 on.

The contents page needs the page of each heading, which is only known after layout, so the document
is built with reportlab's multiBuild (it lays out until the contents stop changing: two passes).
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                Spacer, Table, TableStyle)
from reportlab.platypus.tableofcontents import TableOfContents

from handouts import i18n
from handouts.compose import GuideDoc
from handouts.facts import tel_url
from handouts.errors import ContentError, Problem
from handouts.images import Prepared
from handouts.render import fonts
from handouts.render.cards import exercise_card
from handouts.render.flowables import FixedHeight, Ghost, Picture, QRCode
from handouts.render.layout import (FOOTER_HEIGHT, FRAME_PADDING, HEADER_HEIGHT, body_height, fit_size, guide_boxes,
                                    section_box)
from handouts.render.markdown import flowables
from handouts.render.pages import Branding, branding, draw_header, draw_sample_mark
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, hexcolor, label, para
from handouts.theme import Theme


class _Heading(Paragraph):
    """A section heading that becomes a bookmark, an outline entry and a contents line."""

    def __init__(self, text: str, style, key: str, outline_title: str):
        super().__init__(para(text), style)
        self.key, self.outline_title = key, outline_title


class GuideTemplate(BaseDocTemplate):
    def afterFlowable(self, flowable):  # noqa: N802 - reportlab's name
        if getattr(flowable, "outline_title", None) and getattr(flowable, "key", None):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.outline_title, flowable.key, level=0, closed=None)
            # The contents entry is markup: escape the user's heading text.
            self.notify("TOCEntry", (0, para(flowable.outline_title), self.page, flowable.key))


class GuideStyles(Styles):
    def __init__(self, theme: Theme, font: str):
        super().__init__(theme, font)
        primary = Color(*theme.primary_text)  # text in the brand colour (handouts.palette)
        self.cover_title = ParagraphStyle("cover_title", parent=self.body, fontName=font + "-Bold", fontSize=34,
                                          leading=40, textColor=primary, spaceAfter=10)
        self.cover_subtitle = ParagraphStyle("cover_subtitle", parent=self.body, fontSize=18, leading=23)
        self.prepared = ParagraphStyle("prepared", parent=self.body, fontName=font + "-Bold", fontSize=16,
                                       leading=20, textColor=Color(*theme.on_accent), embeddedHyphenation=1)
        self.section = ParagraphStyle("section", parent=self.h1, fontSize=24, leading=29, spaceBefore=2)
        self.tip_badge = ParagraphStyle("tip_badge", parent=self.body, fontName=font + "-Bold", fontSize=12,
                                        textColor=Color(*theme.accent_text), spaceAfter=2)
        self.sub = ParagraphStyle("sub", parent=self.h2, fontSize=15)
        self.gbody = ParagraphStyle("gbody", parent=self.body, fontSize=12, leading=15.6, spaceAfter=6)
        self.toc = ParagraphStyle("toc", parent=self.body, fontSize=14, leading=22, leftIndent=0, firstLineIndent=0)
        self.phone = ParagraphStyle("phone", parent=self.body, fontName=font + "-Bold", fontSize=36, leading=42,
                                    textColor=primary, alignment=TA_CENTER)
        self.center = ParagraphStyle("center", parent=self.body, alignment=TA_CENTER)
        self.cta_head = ParagraphStyle("cta_head", parent=self.h1, fontSize=28, leading=33, alignment=TA_CENTER,
                                       embeddedHyphenation=1)
        self.fine = ParagraphStyle("fine", parent=self.small, fontSize=10, leading=13,
                                   textColor=Color(0.35, 0.38, 0.41))


def render_guide(doc: GuideDoc, theme: Theme, pictures: dict[str, Prepared], logo: Prepared | None,
                 qr_codes: dict, *, part: str = "all", last_page: int = 0) -> bytes:
    """Lay out and draw a personalised guide. `pictures` maps content file paths to prepared images;
    `qr_codes` maps URLs (exercise videos and the booking page) to QR matrices.

    Batch builds render a guide in two parts (see render/splice.py): `part="shared"` is the whole guide
    with the personal parts left blank; `part="personal"` is what differs between readers, on two
    pages laid out exactly like the cover and the call to action: the personal parts alone, every
    other part taking its place invisibly (`cta_replaced(doc)`: the whole call-to-action page,
    numbered `last_page` as in the full guide).
    """
    personal_only = part == "personal"
    whole_cta = cta_replaced(doc)
    font = fonts.register(theme)
    st = GuideStyles(theme, font)
    clinic = doc.clinic
    words = i18n.words(doc.language)
    marks = branding(clinic, theme, font, logo, words=words)
    buffer = io.BytesIO()
    template = _template(buffer, theme, doc, marks, page_offset=last_page - 2 if personal_only else 0,
                         decorate_cover=not personal_only, decorate_body=not personal_only or whole_cta)
    story = _cover(doc, theme, st, pictures, logo)
    if part == "shared":
        story = [Ghost(f) if getattr(f, "personal", False) else f for f in story]
    if personal_only:
        story = [f if getattr(f, "personal", False) else Ghost(f) for f in story]
        cta = _cta(doc, theme, st, qr_codes, words)
        if not whole_cta:
            cta = [f if getattr(f, "personal", False) else Ghost(f) for f in cta]
        story += [NextPageTemplate("body"), PageBreak()] + cta
        template.build(story)
        return buffer.getvalue()
    story += [NextPageTemplate("body"), PageBreak()]
    story += _contents(doc, theme, st, words)
    for n, gs in enumerate(doc.sections, start=1):
        story += [PageBreak()] + _section(n, gs, theme, st, pictures, qr_codes, template, words)
    if doc.guide.author:
        story += [PageBreak()] + _author(doc, theme, st, pictures, words)
    if doc.guide.cta:
        cta = _cta(doc, theme, st, qr_codes, words)
        if part == "shared" and not whole_cta:
            cta = [Ghost(f) if getattr(f, "personal", False) else f for f in cta]
        story += [PageBreak()] + cta
    template.multiBuild(story)
    return buffer.getvalue()


def cta_replaced(doc: GuideDoc) -> bool:
    """True when the call to action's text (not only its headline) differs between readers, so
    batches replace that whole page rather than laying the headline over a shared page."""
    return any(at.field == "cta.text" for _, at in doc.guide.placeholder_at)


def _template(buffer, theme: Theme, doc: GuideDoc, branding: Branding, page_offset: int = 0,
              decorate_cover: bool = True, decorate_body: bool = True) -> GuideTemplate:
    t = theme
    body_top = t.page_height - t.margin - HEADER_HEIGHT
    body_bottom = t.margin + FOOTER_HEIGHT
    body = Frame(t.margin, body_bottom, t.frame_width, body_top - body_bottom, leftPadding=0, rightPadding=0,
                 topPadding=FRAME_PADDING, bottomPadding=FRAME_PADDING, id="body")
    cover = Frame(t.margin, t.margin, t.frame_width, t.page_height - 2 * t.margin, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0, id="cover")
    title = doc.guide.title

    def on_body(canvas, template):
        if not decorate_body:
            return
        draw_header(canvas, branding)
        if branding.sample:
            draw_sample_mark(canvas, t, branding.font, branding.words)
        canvas.saveState()
        y = t.margin + FOOTER_HEIGHT - 18
        canvas.setStrokeColorRGB(*t.light)
        canvas.line(t.margin, y + 12, t.page_width - t.margin, y + 12)
        canvas.setFillColorRGB(*t.text)
        fonts.draw_string(canvas, t.margin, y, title[:90], branding.font, 10)
        canvas.setFont(branding.font + "-Bold", 11)
        canvas.drawRightString(t.page_width - t.margin, y,
                               branding.words.joined("page.page", page=canvas.getPageNumber() + page_offset))
        canvas.restoreState()

    def on_cover(canvas, template):
        if not decorate_cover:
            return
        canvas.saveState()
        canvas.setFillColorRGB(*t.primary)
        canvas.rect(0, 0, t.page_width, 8, stroke=0, fill=1)
        canvas.restoreState()
        if branding.sample:
            draw_sample_mark(canvas, t, branding.font, branding.words)

    template_doc = GuideTemplate(
        buffer, pagesize=(t.page_width, t.page_height), leftMargin=t.margin, rightMargin=t.margin,
        topMargin=t.margin, bottomMargin=t.margin, title=title, author=doc.clinic.name, subject="",
        keywords="", creator="handouts", producer="handouts", invariant=1,
    )
    template_doc.addPageTemplates([PageTemplate(id="cover", frames=[cover], onPage=on_cover),
                                   PageTemplate(id="body", frames=[body], onPage=on_body)])
    return template_doc


def _picture(prepared: Prepared, width: float, height: float) -> Picture:
    w, h = fit_size(prepared, width, height)
    return Picture(str(prepared.path), w, h)


def _cover(doc: GuideDoc, theme: Theme, st: GuideStyles, pictures, logo) -> list:
    g = doc.guide
    story = []
    if g.cover_image and g.cover_image.file in pictures:
        box = guide_boxes(theme.frame_width, theme.page_height)["cover"]
        story += [_picture(pictures[g.cover_image.file], *box), Spacer(1, 22)]
    story.append(Paragraph(para(g.title), st.cover_title))
    if g.subtitle:
        story.append(Paragraph(para(g.subtitle), st.cover_subtitle))
    if doc.prepared_for:
        band = Table([[Paragraph(para(doc.prepared_for), st.prepared)]], colWidths=[theme.frame_width])
        band.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), Color(*theme.accent)),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 12), ("TOPPADDING", (0, 0), (-1, -1), 8),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
        band.personal = True  # the one part of the cover that differs between readers
        story += [Spacer(1, 20), band]
    clinic = doc.clinic
    contact = [Paragraph(f"<b>{para(clinic.name)}</b>", st.value),
               Paragraph(para(" · ".join(x for x in (clinic.phone, clinic.website) if x)), st.body)]
    row = [[_picture(logo, 60, 60) if logo else "", contact]]
    strip = Table(row, colWidths=[72, theme.frame_width - 72])
    strip.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEABOVE", (0, 0), (-1, 0), 1.5, Color(*theme.primary)),
                               ("TOPPADDING", (0, 0), (-1, -1), 10)]))
    story += [Spacer(1, 28), strip]
    return story


def _contents(doc: GuideDoc, theme: Theme, st: GuideStyles, words: i18n.Words) -> list:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [st.toc]
    story = [Paragraph(label(words, "guide.contents"), st.h1), Spacer(1, 6), toc]
    if doc.intro:
        story += [Spacer(1, 16), Paragraph(label(words, "guide.before_you_start"), st.h2)]
        story += flowables(doc.intro, st.gbody, st.sub, hexcolor(theme.primary_text))
    return story


def _section(n: int, gs, theme: Theme, st: GuideStyles, pictures, qr_codes, template, words: i18n.Words) -> list:
    s = gs.section
    outline = f"{s.tip}. {s.heading}" if s.tip else s.heading
    story = []
    if s.tip:
        badge = " / ".join(dict.fromkeys(t.upper() for t in words.all("guide.tip", number=s.tip)))
        story.append(Paragraph(para(badge), st.tip_badge))
    story.append(_Heading(s.heading, st.section, f"section-{n}", outline))
    text = flowables(gs.blocks, st.gbody, st.sub, hexcolor(theme.primary_text))
    if s.image and s.image.file in pictures:
        prepared = pictures[s.image.file]
        caption = Paragraph(para(s.image.caption), st.caption) if s.image.caption else Spacer(1, 0)
        box = section_box(theme.frame_width, theme.page_height, s.placement, gs.exercise is not None)
        if s.placement == "top":
            story += [Spacer(1, 4), _picture(prepared, *box), caption, Spacer(1, 8)] + text
        else:
            side = box[0]
            picture_cell = [_picture(prepared, *box), caption]
            cells = [picture_cell, text] if s.placement == "left" else [text, picture_cell]
            widths = [side + 14, theme.frame_width - side - 14]
            table = Table([cells], colWidths=widths if s.placement == "left" else widths[::-1])
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                       ("RIGHTPADDING", (0, 0), (-1, -1), 12)]))
            _check_fits(table, theme, s.body.where.file, s.body.where.line, s.body.where.field,
                        f"the text is too long to sit beside its picture (placement: {s.placement}); "
                        "shorten it or use placement: top")
            story += [Spacer(1, 6), table]
    else:
        story += text
    if gs.exercise:
        story += [Spacer(1, 8),
                  exercise_card(words.text("card.try_this"), gs.exercise, theme, st, pictures, qr_codes,
                                body_height(theme.page_height, theme.margin) - 1, words=words)]
    return story


def _check_fits(table: Table, theme: Theme, file: str, line: int, field: str, message: str) -> None:
    """A picture beside text is one table row, which reportlab cannot split across pages: when it
    is taller than a page, say where, instead of the LayoutError that names no place."""
    _, height = table.wrap(theme.frame_width, 1e9)
    if height > body_height(theme.page_height, theme.margin):
        raise ContentError(problems=[Problem(message, file, line, 0, field)])


def _author(doc: GuideDoc, theme: Theme, st: GuideStyles, pictures, words: i18n.Words) -> list:
    a = doc.guide.author
    title = words.joined("guide.about_author")
    story = [_Heading(title, st.section, "author", title), Spacer(1, 8)]
    name = Paragraph(f"<b>{para(a.name)}</b>" + (f", {para(a.credentials)}" if a.credentials else ""), st.value)
    bio = [name, Spacer(1, 6)] + flowables(doc.author_bio, st.gbody, st.sub, hexcolor(theme.primary_text))
    if a.photo and a.photo.file in pictures:
        box = guide_boxes(theme.frame_width, theme.page_height)["author"]
        table = Table([[_picture(pictures[a.photo.file], *box), bio]], colWidths=[box[0] + 16, theme.frame_width - box[0] - 16])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        bio_at = a.bio.where if a.bio else doc.guide.where
        _check_fits(table, theme, bio_at.file or doc.guide.where.file, bio_at.line, "author.bio",
                    "the author's bio is too long to sit beside the photo; shorten it")
        story.append(table)
    else:
        story += bio
    return story


def _cta(doc: GuideDoc, theme: Theme, st: GuideStyles, qr_codes, words: i18n.Words) -> list:
    cta = doc.guide.cta
    phone = cta.phone or doc.clinic.phone
    # The contents and outline say "Book a visit", not the personalised headline, so every
    # recipient's copy has the same contents page and bookmarks.
    # In a fixed-height box, so a long name never moves the rest of the page.
    head = st.cta_head

    def headline_at(size: float) -> _Heading:
        style = ParagraphStyle("cta_head_sized", parent=head, fontSize=size, leading=size * head.leading / head.fontSize)
        return _Heading(doc.cta_headline, style, "cta", words.joined("guide.book_a_visit"))

    # Two lines at 28 pt; smaller only when a long name needs more, down to body size.
    headline = FixedHeight(headline_at, 2 * head.leading + 4, range(int(head.fontSize), int(theme.body_size) - 1, -1))
    headline.personal = True
    story = [headline, Spacer(1, 10)]
    story += flowables(doc.cta_text, st.gbody, st.sub, hexcolor(theme.primary_text))
    # The number is a tel: link too, so a reader on a phone can tap it.
    call = [Paragraph(label(words, "guide.call_us"), st.center),
            Paragraph(f'<a href="{para(tel_url(phone))}">{para(phone)}</a>', st.phone)]
    if cta.booking_url and cta.booking_url in qr_codes:
        book = [QRCode(qr_codes[cta.booking_url], 110), Spacer(1, 4),
                Paragraph(label(words, "guide.scan_to_book"), st.center),
                Paragraph(f'<a href="{para(cta.booking_url)}">{para(cta.booking_url)}</a>', st.caption)]
        box = Table([[call, book]], colWidths=[theme.frame_width * 0.55, theme.frame_width * 0.45])
    else:
        box = Table([[call]], colWidths=[theme.frame_width])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), Color(*theme.light)),
                             ("BOX", (0, 0), (-1, -1), 1.5, Color(*theme.primary)),
                             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                             ("TOPPADDING", (0, 0), (-1, -1), 16), ("BOTTOMPADDING", (0, 0), (-1, -1), 16)]))
    story += [Spacer(1, 14), box]
    clinic = doc.clinic
    details = " · ".join(x for x in (clinic.address, clinic.email, clinic.website) if x)
    if details:
        story += [Spacer(1, 14), Paragraph(para(details), st.center)]
    if doc.guide.disclaimer:
        story += [Spacer(1, 24), Paragraph(para(doc.guide.disclaimer), st.fine)]
    return story
