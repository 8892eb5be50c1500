"""Palette: a clinic's brand colours -> the colours we actually draw with, every text readable.

Brand colours are fills (title bars, rules, the cover band) exactly as the clinic gives them. Text is
never drawn in a colour that reads badly on what is under it: WCAG 2.x contrast of at least 4.5:1
(3:1 for text of 18 pt or more, which we never rely on for body text). Where a brand colour is too
pale (gold on white is 1.4:1) or too dark for its place, text uses a darker (or lighter) shade of the
same colour; on a brand fill, text is black or white, whichever reads better. Every change is
noted so `handouts check` can say what it adjusted. Pure: no reportlab, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[float, float, float]
WHITE: RGB = (1.0, 1.0, 1.0)
BLACK: RGB = (0.0, 0.0, 0.0)
NORMAL = 4.5  # WCAG 2.x AA, normal text
LARGE = 3.0  # WCAG 2.x AA, text of 18 pt or more
# Fixed backgrounds the renderers draw text on besides white and the clinic's light colour.
NOTE_CREAM: RGB = (1.0, 0.97, 0.90)  # a therapist's note on an exercise card
WARNING_PINK: RGB = (1.0, 0.95, 0.94)  # the "STOP and call us if" box
GREY_TEXT: RGB = (0.35, 0.38, 0.41)  # disclaimers and fine print (6.9:1 on white)


def luminance(c: RGB) -> float:
    """WCAG relative luminance of an sRGB colour (components 0..1)."""
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours, 1..21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_of(c: RGB) -> str:
    return "#" + "".join(f"{round(v * 255):02X}" for v in c)


def _mix(c: RGB, toward: RGB, t: float) -> RGB:
    # Rounded to whole 8-bit steps, so what we check is exactly what is drawn.
    return tuple(round((v + (w - v) * t) * 255) / 255 for v, w in zip(c, toward))  # type: ignore[return-value]


def readable_on(colour: RGB, backgrounds: list[RGB], target: float = NORMAL) -> RGB:
    """`colour`, or the nearest shade of it (towards black, else white) readable on every background."""
    if min(contrast(colour, bg) for bg in backgrounds) >= target:
        return colour
    for toward in (BLACK, WHITE):
        for step in range(1, 101):
            shade = _mix(colour, toward, step / 100)
            if min(contrast(shade, bg) for bg in backgrounds) >= target:
                return shade
    return BLACK


def text_on_fill(fill: RGB) -> RGB:
    """Black or white, whichever reads better on `fill` (one of them always reaches 4.5:1)."""
    return WHITE if contrast(WHITE, fill) >= contrast(BLACK, fill) else BLACK


@dataclass(frozen=True)
class Palette:
    primary: RGB  # fills: card title bars, rules, the cover's bottom band (as the clinic gives it)
    accent: RGB  # fills: the "Prepared for" band, lines
    light: RGB  # background of the patient block, card side panels, call-to-action box
    text: RGB  # body text, on white, light, cream and pink
    primary_text: RGB  # headings, labels, the phone number: primary, or a readable shade of it
    accent_text: RGB  # the guide's "TIP 1" badges (on white): accent, or a readable shade of it
    on_primary: RGB  # text on a primary fill (black or white)
    on_accent: RGB  # text on an accent fill
    notes: tuple[str, ...] = ()  # what was adjusted, in words, for `check`


def safe_palette(primary: RGB, accent: RGB, text: RGB, light: RGB) -> Palette:
    """The colours to draw with for these brand colours, and a note for each one changed."""
    notes = []

    def note(key: str, given: RGB, used: RGB, where: str) -> None:
        if used != given:
            notes.append(f"colors.{key} {hex_of(given)} is hard to read {where}; text there uses {hex_of(used)}")

    # The light background must leave room for dark text: lighten it until black text would reach 7:1.
    safe_light = light if contrast(BLACK, light) >= 7.0 else readable_on(light, [BLACK], 7.0)
    if safe_light != light:
        notes.append(f"colors.light {hex_of(light)} is too dark to print text on; backgrounds use "
                     f"{hex_of(safe_light)}")
    grounds = [WHITE, safe_light, NOTE_CREAM, WARNING_PINK]
    ink = readable_on(text, grounds)
    note("text", text, ink, "on white and light backgrounds")
    primary_text = readable_on(primary, [WHITE, safe_light])
    note("primary", primary, primary_text, f"as text (contrast {contrast(primary, WHITE):.1f}:1 on white)")
    accent_text = readable_on(accent, [WHITE])  # only ever drawn on the page itself (the guide's tip badges)
    note("accent", accent, accent_text, f"as text (contrast {contrast(accent, WHITE):.1f}:1 on white)")
    on_primary, on_accent = text_on_fill(primary), text_on_fill(accent)
    for key, fill, on in (("primary", primary, on_primary), ("accent", accent, on_accent)):
        if on == BLACK:
            notes.append(f"colors.{key} {hex_of(fill)} is too pale for white text; text on it is black")
    return Palette(primary, accent, safe_light, ink, primary_text, accent_text, on_primary, on_accent, tuple(notes))
