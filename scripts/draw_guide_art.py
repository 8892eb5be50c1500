#!/usr/bin/env python3
"""Draw the illustrations of the guide "9 Quick and Easy Tips to Relieve Back Pain".

Outputs (paths relative to the repository root):

* ``images/guides/back-pain-cover.png``: cover hero image, 1800x1000 px.
* ``images/guides/tip-1.png`` .. ``tip-9.png``: one picture per tip, 900x600 px.
* ``images/guides/author.png``: avatar of the fictional therapist Jordan Lee,
  800x800 px.

The people are the posed skeleton figures of ``scripts/draw_figures.py`` (the
exercise pictures): this script imports its pose builders and its shape
drawing, so the guide art uses the same body proportions, colours and look.
Only the scenery (sun, hills, furniture, calendar, clock, signs) is drawn here.
It relies on these draw_figures names: Pose (and its check/look/arm_to/arm_dirs/
leg_to/leg_dirs), Camera, pose_shapes, draw_shape, draw_segment, shape_bounds,
supine, feet_flat, arms_by_sides, bridge_up, dead_bug_start, ex_bird_dog, the
colour constants and the skeleton dimensions imported below.  Every pose goes
through Pose.check(), so a detached limb fails loudly instead of being drawn.

Everything is drawn at 3x and downscaled with LANCZOS, then mapped onto a small
fixed palette made of the colours the picture uses plus blends between them
(anti-aliased edges only mix two colours), so the brand colours stay exact.

Run it from anywhere (it only needs Pillow)::

    python scripts/draw_guide_art.py                      # write all PNGs
    python scripts/draw_guide_art.py --sheet /tmp/guide_sheet.png
                                                          # ...plus a contact sheet
    python scripts/draw_guide_art.py --only tip-4         # just one picture

The output is deterministic: no randomness and no timestamps.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

sys.dont_write_bytecode = True  # leave no __pycache__ beside draw_figures.py
import draw_figures as fig  # noqa: E402  (the exercise-figure drawing code)
from draw_figures import (  # noqa: E402
    ANKLE_FLOOR, ANKLE_W, DOWN, FAR, HALF_DEPTH, HAND_R, NEAR, SHIN, SIDES, THIGH, TOE_W, X,
    Camera, Pose, add, lerp, mul, polar,
)

ROOT = SCRIPTS.parent
OUT_DIR = ROOT / "images" / "guides"

SS = 3  # supersampling factor

# --------------------------------------------------------------------------
# Colours: the figure colours come from draw_figures; the rest is scenery.
# --------------------------------------------------------------------------

WHITE = fig.WHITE
BODY = fig.BODY  # #1F6F8B
BODY_FAR = fig.BODY_FAR  # #8FB7C9
ACCENT = fig.ACCENT  # #F29E4C
MAT = fig.MAT
FLOOR = fig.FLOOR
SKY = (0xEA, 0xF3, 0xF7)  # soft light blue background
HILL = (0xD7, 0xE9, 0xF0)  # far hills / soft background shapes
HILL_NEAR = (0xC6, 0xDF, 0xE9)  # near hills, trees
SUN = (0xFB, 0xE0, 0xC2)  # pale orange sun
OBJ = (0xC4, 0xD3, 0xDC)  # furniture, steps: light grey-blue
OBJ_DARK = (0x6F, 0x86, 0x94)  # outlines, legs, laptop
HAIR = (0x33, 0x3C, 0x48)
SKIN = (0xC8, 0x8F, 0x6C)


def fixed_palette(keys):
    """The given colours plus three blends between every pair of them."""
    colours = list(dict.fromkeys(keys))
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            for t in (0.25, 0.5, 0.75):
                colours.append(tuple(round(x + (y - x) * t) for x, y in zip(a, b)))
    colours = list(dict.fromkeys(colours))
    if len(colours) > 256:
        raise ValueError(f"palette too large ({len(colours)} colours)")
    return colours


def to_palette(img: Image.Image, colours) -> Image.Image:
    """Map every pixel to its nearest palette colour (exact, no dithering).

    Pillow's own quantize(palette=...) looks colours up in coarse 4x4x4 boxes
    and picks a near-white blend for pure white when the palette holds light
    tints (e.g. white and #EAF3F7), which would tint the whole background.
    """
    cache = {}

    def nearest(c):
        best = min(range(len(colours)), key=lambda i: (colours[i][0] - c[0]) ** 2
                   + (colours[i][1] - c[1]) ** 2 + (colours[i][2] - c[2]) ** 2)
        cache[c] = best
        return best

    pixels = img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata()
    data = bytes(cache[c] if c in cache else nearest(c) for c in pixels)
    out = Image.frombytes("P", img.size, data)
    out.putpalette([v for rgb in colours for v in rgb])
    return out


# --------------------------------------------------------------------------
# Canvas: scenery primitives in final-pixel coordinates, drawn at SS x
# --------------------------------------------------------------------------


class PlaceFit:
    """Maps camera units to supersampled pixels; duck-types draw_figures.Fit."""

    def __init__(self, scale, ox, oy):
        self.scale, self.ox, self.oy = scale, ox, oy

    def px(self, uv):
        return ((self.ox + self.scale * uv[0]) * SS, (self.oy - self.scale * uv[1]) * SS)


class Canvas:
    def __init__(self, w, h, bg=WHITE):
        self.w, self.h = w, h
        self.img = Image.new("RGB", (w * SS, h * SS), bg)
        self.draw = ImageDraw.Draw(self.img)
        self.colours = [bg]

    def _c(self, colour):
        if colour not in self.colours:
            self.colours.append(colour)
        return colour

    @staticmethod
    def _p(pt):
        return (pt[0] * SS, pt[1] * SS)

    # primitives ------------------------------------------------------------
    def circle(self, c, r, fill):
        self.draw.ellipse([(c[0] - r) * SS, (c[1] - r) * SS, (c[0] + r) * SS, (c[1] + r) * SS],
                          fill=self._c(fill))

    def ellipse(self, box, fill):
        self.draw.ellipse([v * SS for v in box], fill=self._c(fill))

    def rect(self, box, fill, radius=0):
        box = [v * SS for v in box]
        if radius:
            self.draw.rounded_rectangle(box, radius=radius * SS, fill=self._c(fill))
        else:
            self.draw.rectangle(box, fill=self._c(fill))

    def polygon(self, pts, fill):
        self.draw.polygon([self._p(p) for p in pts], fill=self._c(fill))

    def seg(self, p, q, width, fill, width_q=None):
        """Thick line with round caps (draw_figures.draw_segment, in final px)."""
        fig.draw_segment(self.draw, self._p(p), self._p(q), width * SS, self._c(fill),
                         None if width_q is None else width_q * SS)

    def polyline(self, pts, width, fill):
        for p, q in zip(pts, pts[1:]):
            self.seg(p, q, width, fill)

    def arrow(self, pts, width, fill, head_l=None, head_w=None):
        """Polyline ending in a triangular head at pts[-1]."""
        head_l = head_l or width * 3.0
        head_w = head_w or width * 3.2
        tip = pts[-1]
        # walk back from the tip to the base of the head
        remaining, i, base = head_l, len(pts) - 1, pts[0]
        while i > 0:
            d = math.dist(pts[i], pts[i - 1])
            if d >= remaining:
                t = remaining / d
                base = (pts[i][0] + (pts[i - 1][0] - pts[i][0]) * t,
                        pts[i][1] + (pts[i - 1][1] - pts[i][1]) * t)
                break
            remaining -= d
            i -= 1
        self.polyline(pts[:i] + [base], width, fill)
        dx, dy = tip[0] - base[0], tip[1] - base[1]
        n = math.hypot(dx, dy)
        ox, oy = -dy / n * head_w / 2, dx / n * head_w / 2
        self.polygon([tip, (base[0] + ox, base[1] + oy), (base[0] - ox, base[1] - oy)], fill)

    def check_mark(self, c, size, width, fill):
        """A tick centred on c."""
        s = size
        self.polyline([(c[0] - 0.45 * s, c[1]), (c[0] - 0.12 * s, c[1] + 0.32 * s),
                       (c[0] + 0.48 * s, c[1] - 0.36 * s)], width, fill)

    # scene pieces ------------------------------------------------------------
    def mat(self, x0, x1, top, thick=12, colour=MAT):
        """Exercise mat whose top surface is the row `top`, as in the exercise pictures."""
        self.rect((x0, top, x1, top + thick), colour)
        self.floor(x0 - 22, x1 + 22, top + thick)

    def floor(self, x0, x1, y):
        self.rect((x0, y - 1, x1, y + 2), FLOOR, radius=1.5)

    # figures -----------------------------------------------------------------
    def figure(self, pose: Pose, origin, scale, cam: Camera | None = None, name="figure",
               before=None, after=None, order=None):
        """Draw a posed draw_figures person; world (0, 0) lands on pixel `origin`.

        The figure is drawn on its own layer with draw_figures' shapes (white
        halos included) and pasted through a mask of its silhouette, so the
        halos separate near limbs from the torso but never show against the
        scenery.  Hooks: `order(shapes)` may rearrange the shape list;
        `before(draw, fit, cam, mask)` / `after(...)` draw props under / over
        the body on the same layer (with mask=True they must draw in white)
        and return the colours they used.
        """
        pose.check(name)
        cam = cam or Camera()
        fit = PlaceFit(scale, origin[0], origin[1])
        shapes = fig.pose_shapes(pose, cam)
        if order:
            shapes = order(shapes)
        layer = Image.new("RGB", self.img.size, WHITE)
        mask = Image.new("RGB", self.img.size, (0, 0, 0))
        dl, dm = ImageDraw.Draw(layer), ImageDraw.Draw(mask)

        def props(hook):
            if hook:
                for colour in hook(dl, fit, cam, False) or ():
                    self._c(colour)
                hook(dm, fit, cam, True)

        props(before)
        for sh in shapes:
            fig.draw_shape(dl, sh, fit)
            cut = sh.kind == "polygon" and sh.color == WHITE  # e.g. the low-back hollow
            fig.draw_shape(dm, dataclasses.replace(sh, color=(0, 0, 0) if cut else WHITE,
                                                   halo=False), fit)
            self._c(sh.color)
        props(after)
        self.img.paste(layer, (0, 0), mask.convert("L"))
        self._c(WHITE)
        return fit

    # output ------------------------------------------------------------------
    def finish(self):
        img = self.img.resize((self.w, self.h), Image.LANCZOS)
        return to_palette(img, fixed_palette(self.colours))


# --------------------------------------------------------------------------
# Pose helpers (built on draw_figures' Pose)
# --------------------------------------------------------------------------


def translate(p: Pose, d):
    """Shift a whole pose by the world vector d."""
    p.pelvis, p.chest, p.head = add(p.pelvis, d), add(p.chest, d), add(p.head, d)
    for limbs in (p.arms, p.legs):
        for side in limbs:
            limbs[side] = [add(q, d) for q in limbs[side]]
    return p


def sole_height(p: Pose, side):
    """Lowest point of a foot (ankle and toe discs)."""
    _, _, ankle, toe = p.legs[side]
    return min(ankle[1] - ANKLE_W / 2, toe[1] - TOE_W / 2)


def stand_on(p: Pose, y=0.0, x=None):
    """Move the pose so that its lowest foot rests on height y (and pelvis at x)."""
    low = min(sole_height(p, s) for s in SIDES if s in p.legs)
    dx = 0.0 if x is None else x - p.pelvis[0]
    return translate(p, (dx, y - low, 0.0))


def upright(facing=1.0, lean=3.0):
    """A standing torso; facing +1 = toward +x (right), -1 = toward -x (left)."""
    if facing > 0:
        return Pose.planar((0.0, 50.0), 90 - lean, -lean)
    return Pose.planar((0.0, 50.0), 90 + lean, 180 + lean)


def mirror_deg(deg, facing):
    """An angle given for a right-facing figure, mirrored if it faces left."""
    return deg if facing > 0 else 180 - deg


def walking(facing=1.0, stride=1.0):
    """Mid-stride walk: near leg forward (heel strike), opposite arm forward."""
    p = upright(facing, lean=3.0)
    p.look(polar(mirror_deg(86, facing)))
    m = lambda d: polar(mirror_deg(d, facing))  # noqa: E731
    s = stride
    p.leg_dirs(NEAR, m(-90 + 24 * s), m(-90 + 14 * s), m(14))  # heel strike, toes up
    p.leg_dirs(FAR, m(-90 - 16 * s), m(-90 - 36 * s), m(-32))  # push-off on the toes
    p.arm_dirs(NEAR, m(-90 - 22 * s), m(-90 - 8 * s))  # near arm swings back
    p.arm_dirs(FAR, m(-90 + 26 * s), m(-90 + 62 * s))  # far arm forward, elbow bent
    return stand_on(p)


def standing(facing=1.0, lean=2.0):
    """Standing tall, feet together, arms by the sides."""
    p = upright(facing, lean)
    m = lambda d: polar(mirror_deg(d, facing))  # noqa: E731
    p.look(m(88))
    for side in SIDES:
        p.leg_dirs(side, m(-91), m(-91), m(-4))
        p.arm_dirs(side, m(-95), m(-88))
    return stand_on(p)


# --------------------------------------------------------------------------
# Shared scenery
# --------------------------------------------------------------------------

TW, TH = 900, 600  # tip picture size
T_FLOOR = 505  # floor row of the tip pictures


def tip_canvas(disc_c=(450, 300), disc_r=250):
    """White picture with a big soft light-blue disc behind the subject."""
    c = Canvas(TW, TH)
    c.circle(disc_c, disc_r, SKY)
    return c


def tree(c: Canvas, x, ground, h, r, colour=HILL_NEAR):
    c.seg((x, ground), (x, ground - h + r * 0.5), r * 0.22, colour)
    c.circle((x, ground - h), r, colour)


def sparkle(c: Canvas, centre, r, width, colour=ACCENT, n=3, start=-120, spread=60):
    """Short radiating strokes (used for 'ouch' and for emphasis)."""
    for i in range(n):
        a = math.radians(start + i * spread / max(1, n - 1))
        p = (centre[0] + r * math.cos(a), centre[1] + r * math.sin(a))
        q = (centre[0] + 1.8 * r * math.cos(a), centre[1] + 1.8 * r * math.sin(a))
        c.seg(p, q, width, colour)


# --------------------------------------------------------------------------
# The pictures
# --------------------------------------------------------------------------


def centre_x(pose, cam, cx, scale):
    """Pixel x of world x = 0 that centres the figure's outline on cx."""
    u0, u1, _, _ = fig.shape_bounds(fig.pose_shapes(pose, cam))
    return cx - scale * (u0 + u1) / 2


def bridge_pose():
    start = fig.supine()
    fig.feet_flat(start)
    fig.arms_by_sides(start)
    return fig.bridge_up(start)


def draw_cover():
    W, H = 1800, 1000
    c = Canvas(W, H, SKY)
    ground = 850
    # sun, soft hills and a couple of round trees
    c.circle((1400, 250), 140, SUN)
    c.ellipse((-500, 560, 1000, 1300), HILL)
    c.ellipse((700, 620, 2400, 1350), HILL)
    c.ellipse((-300, 700, 760, 1200), HILL_NEAR)
    tree(c, 170, 760, 170, 64)
    tree(c, 270, 780, 115, 46)
    tree(c, 1640, 800, 130, 50)
    c.rect((0, ground, W, H), HILL)
    c.floor(0, W, ground)
    scale = 5.4
    cam = Camera()
    c.figure(walking(), (560, ground), scale, cam, name="cover-walk")
    b = bridge_pose()
    mat_top = ground - 14
    c.mat(930, 1590, mat_top, thick=14, colour=SUN)
    c.figure(b, (centre_x(b, cam, 1260, scale), mat_top), scale, cam, name="cover-bridge")
    return c.finish()


def tip1_walk():
    c = tip_canvas()
    tree(c, 250, T_FLOOR, 160, 54)
    tree(c, 330, T_FLOOR, 100, 36)
    tree(c, 660, T_FLOOR, 125, 44)
    c.floor(150, 750, T_FLOOR)
    c.figure(walking(), (455, T_FLOOR), 3.9, name="tip1")
    return c.finish()


def tip2_core():
    c = tip_canvas()
    p = fig.dead_bug_start()
    scale = 5.0
    cam = Camera()
    top = T_FLOOR - 12
    c.mat(150, 750, top)
    # an orange belt around the waist (the deep core): the near half of a band
    # that wraps around the torso, a little proud of its outline
    centre = lerp(p.pelvis, p.chest, 0.5)
    ry, rz, half_w = HALF_DEPTH + 0.8, fig.TORSO_WIDTH / 2 + 0.8, 3.0

    def belt(draw, fit, cam, mask):
        def edge(off, rev):
            pts = []
            for i in range(33):
                t = math.pi * i / 32
                q = add(add(centre, mul(p.spine, off)),
                        add(mul(p.front, ry * math.cos(t)), mul(p.near, rz * math.sin(t))))
                q = (q[0], max(q[1], 0.0), q[2])  # the belt passes under the body
                pts.append(fit.px(cam.uv(q)))
            return pts[::-1] if rev else pts
        draw.polygon(edge(-half_w, False) + edge(half_w, True), fill=WHITE if mask else ACCENT)
        return [ACCENT]

    c.figure(p, (centre_x(p, cam, 450, scale), top), scale, cam, name="tip2",
             after=belt)
    return c.finish()


def far_forearm_on_top(shapes):
    """Draw the far forearm over the torso (a hand resting on the chest)."""
    far_arm = next(sh for sh in shapes
                   if sh.kind == "chain" and sh.color == BODY_FAR and sh.end_r > 0)
    i = shapes.index(far_arm)
    upper = dataclasses.replace(far_arm, pts=far_arm.pts[:2], widths=far_arm.widths[:2], end_r=0.0)
    fore = dataclasses.replace(far_arm, pts=far_arm.pts[1:], widths=far_arm.widths[1:], halo=True)
    shapes = shapes[:i] + [upper] + shapes[i + 1:]
    near_leg = next(j for j, sh in enumerate(shapes)
                    if sh.kind == "chain" and sh.color == BODY and len(sh.pts) == 4)
    return shapes[:near_leg] + [fore] + shapes[near_leg:]


def tip3_breathe():
    c = tip_canvas()
    p = fig.supine()
    fig.feet_flat(p)
    chest_top = 2 * HALF_DEPTH
    # near hand on the belly, far hand on the upper chest; elbows down by the sides
    p.arm_to(NEAR, (-4.0, chest_top + HAND_R - 0.6, 3.0), polar(-90))
    p.arm_to(FAR, (-17.0, chest_top + HAND_R - 0.6, -1.0), polar(-90))
    scale = 5.2
    cam = Camera()
    top = T_FLOOR - 12
    c.mat(140, 760, top)
    fit = c.figure(p, (centre_x(p, cam, 450, scale), top), scale, cam, name="tip3",
                   order=far_forearm_on_top)
    # a slow breath: a long, gentle wave over the belly, and the belly rising
    hx, hy = (v / SS for v in fit.px(cam.uv(p.arms[NEAR][2])))
    pts = []
    for i in range(81):
        t = i / 80
        pts.append((hx - 170 + 340 * t, hy - 120 + 18 * math.sin(2 * math.pi * (1.5 * t + 0.25))))
    c.polyline(pts, 7, ACCENT)
    c.arrow([(hx + 4, hy - 32), (hx + 4, hy - 76)], 7, ACCENT, head_l=20, head_w=24)
    return c.finish()


def tip4_sitting():
    c = tip_canvas()
    scale = 4.0
    floor = T_FLOOR
    ox = 360  # pixel of world x = 0 (the pelvis)
    X0 = lambda x: ox + scale * x  # noqa: E731
    Y0 = lambda y: floor - scale * y  # noqa: E731
    # seated pose: thighs level, shins vertical, feet flat on the floor
    hip_y = ANKLE_FLOOR + SHIN + 0.3
    p = Pose.planar((0.0, hip_y), 92, 2)  # sitting tall, a tiny lean back
    p.look(polar(84))
    for side in SIDES:
        p.leg_dirs(side, polar(0), polar(-90), polar(0))
    seat_y = hip_y - HALF_DEPTH - 0.3
    desk_y, desk_x0, desk_x1 = 44.0, 15.0, 72.0
    for side in SIDES:  # hands on the laptop keyboard, elbows by the sides
        sh = p.shoulder(side)
        p.arm_to(side, (23.0 + (2.0 if side == NEAR else 0.0), desk_y + HAND_R + 1.0, sh[2] * 0.8),
                 DOWN)
    # wall clock with a 30-minute wedge
    cc, cr = (680, 150), 60
    c.circle(cc, cr + 8, OBJ_DARK)
    c.circle(cc, cr, WHITE)
    c.draw.pieslice([(cc[0] - cr + 9) * SS, (cc[1] - cr + 9) * SS, (cc[0] + cr - 9) * SS,
                     (cc[1] + cr - 9) * SS], -90, 90, fill=c._c(SUN))
    for k in range(12):
        a = math.radians(k * 30)
        r0 = cr - (14 if k % 3 == 0 else 9)
        c.seg((cc[0] + r0 * math.sin(a), cc[1] - r0 * math.cos(a)),
              (cc[0] + (cr - 5) * math.sin(a), cc[1] - (cr - 5) * math.cos(a)), 3.5, OBJ_DARK)
    c.seg(cc, (cc[0], cc[1] - cr + 17), 6, BODY)
    c.seg(cc, (cc[0], cc[1] + cr - 15), 6, ACCENT)
    c.circle(cc, 7, BODY)
    # chair (behind the person)
    back_x = -HALF_DEPTH - 3.0
    c.rect((X0(back_x - 4.0), Y0(seat_y + 32), X0(back_x + 0.5), Y0(seat_y - 1)), OBJ, radius=8)
    c.rect((X0(back_x - 3), Y0(seat_y + 1.0), X0(THIGH - 4), Y0(seat_y - 3.5)), OBJ, radius=6)
    c.seg((X0(5), Y0(seat_y - 3)), (X0(5), Y0(1.0)), 9, OBJ_DARK)
    c.seg((X0(-7), Y0(1.0)), (X0(17), Y0(1.0)), 9, OBJ_DARK)
    # desk: the far front leg is behind the person, the top in front of the knees
    c.rect((X0(desk_x0 + 2), Y0(desk_y), X0(desk_x0 + 5.5), floor), OBJ)
    c.rect((X0(desk_x1 - 7), Y0(desk_y), X0(desk_x1 - 3.5), floor), OBJ)
    # laptop: base under the hands, screen tilted back
    base_y = Y0(desk_y) - 4
    c.seg((X0(19), base_y), (X0(40), base_y), 7, OBJ_DARK)
    c.seg((X0(40), base_y), (X0(46), base_y - 21 * scale), 7, OBJ_DARK)
    c.floor(120, 780, floor)
    c.figure(p, (ox, floor), scale, name="tip4")
    c.rect((X0(desk_x1 - 4), Y0(desk_y), X0(desk_x1 - 0.5), floor), OBJ_DARK)
    c.rect((X0(desk_x0), Y0(desk_y) - 1, X0(desk_x1), Y0(desk_y) + 13), OBJ_DARK, radius=4)
    return c.finish()


def tip5_steps():
    c = tip_canvas()
    scale = 3.5
    floor = T_FLOOR + 10
    rise, tread = 14.0, 30.0
    ox = 335.0  # pixel of world x = 0: the front edge of the first step
    X0 = lambda x: ox + scale * x  # noqa: E731
    Y0 = lambda y: floor - scale * y  # noqa: E731
    c.floor(110, 790, floor)
    for k in range(3):
        c.rect((X0(k * tread), Y0(rise * (k + 1)), X0(3 * tread), floor + 1), OBJ)
        if k:
            c.rect((X0(k * tread) - 2, Y0(rise * (k + 1)), X0(k * tread) + 2, Y0(rise * k)),
                   WHITE)
    # a small flag on the top step
    fx = X0(2.55 * tread)
    c.seg((fx, Y0(3 * rise)), (fx, Y0(3 * rise) - 110), 6, OBJ_DARK)
    c.polygon([(fx + 2, Y0(3 * rise) - 110), (fx + 58, Y0(3 * rise) - 92),
               (fx + 2, Y0(3 * rise) - 74)], ACCENT)
    # figure: far foot on the floor... near foot stepping up onto the first step
    p = upright(1.0, lean=7.0)
    p.look(polar(82))
    p.leg_dirs(FAR, polar(-104), polar(-100), polar(-4))
    stand_on(p, 0.0, x=-20.0)
    hip = p.hip(NEAR)
    p.leg_to(NEAR, (8.0, rise + ANKLE_FLOOR + 0.2, hip[2]), X, polar(0))
    p.arm_dirs(NEAR, polar(-112), polar(-96))
    p.arm_dirs(FAR, polar(-64), polar(-20))
    c.figure(p, (ox, floor), scale, name="tip5")
    return c.finish()


def draw_stop_hand(c: Canvas, centre, r):
    """A round orange 'stop' sign with a white raised palm."""
    cx, cy = centre
    c.circle(centre, r, ACCENT)
    s = r / 100
    palm = (cx - 30 * s, cy - 10 * s, cx + 30 * s, cy + 48 * s)
    c.rect(palm, WHITE, radius=20 * s)
    for dx, top in ((-22, -52), (-7.5, -62), (7.5, -60), (22, -48)):
        c.seg((cx + dx * s, cy + 5 * s), (cx + dx * s, cy + top * s), 13.5 * s, WHITE)
    c.seg((cx - 18 * s, cy + 34 * s), (cx - 48 * s, cy + 2 * s), 14 * s, WHITE)


def tip6_pain():
    c = tip_canvas(disc_c=(430, 300))
    scale = 3.9
    ox, floor = 330, T_FLOOR
    p = upright(1.0, lean=10.0)
    p.look(polar(80))
    for side in SIDES:
        p.leg_dirs(side, polar(-94 + (4 if side == NEAR else -2)), polar(-92), polar(-2))
    stand_on(p)
    # near hand on the low back, elbow out behind; far arm hangs
    back = mul(p.front, -1.0)
    low_back = add(add(p.pelvis, mul(p.spine, 7.0)), mul(back, HALF_DEPTH + HAND_R - 0.8))
    p.arm_to(NEAR, add(low_back, (0.0, 0.0, 2.5)), add(back, (0.0, 0.6, 0.0)))
    p.arm_dirs(FAR, polar(-80), polar(-70))
    c.floor(150, 750, floor)
    fit = c.figure(p, (ox, floor), scale, name="tip6")
    # a small orange 'ouch' mark at the low back
    hx, hy = fit.px(Camera().uv(p.arms[NEAR][2]))
    sparkle(c, (hx / SS - 14, hy / SS), 22, 7, n=3, start=150, spread=60)
    draw_stop_hand(c, (630, 250), 92)
    return c.finish()


def tip7_calendar():
    c = tip_canvas()
    x0, y0, x1, y1 = 230, 130, 670, 480
    c.rect((x0 + 8, y0 + 12, x1 + 8, y1 + 12), HILL_NEAR, radius=22)  # soft shadow
    c.rect((x0, y0, x1, y1), WHITE, radius=22)
    c.rect((x0, y0, x1, y0 + 70), BODY, radius=22)
    c.rect((x0, y0 + 40, x1, y0 + 70), BODY)
    for rx in (x0 + 90, x1 - 90):
        c.rect((rx - 9, y0 - 26, rx + 9, y0 + 20), OBJ_DARK, radius=9)
    cols, rows = 7, 4
    gx0, gy0 = x0 + 28, y0 + 92
    cw, ch = (x1 - x0 - 56) / cols, (y1 - y0 - 112) / rows
    missed = {(1, 4), (2, 6)}
    today = (3, 3)
    for r in range(rows):
        for k in range(cols):
            bx, by = gx0 + k * cw, gy0 + r * ch
            box = (bx + 4, by + 4, bx + cw - 4, by + ch - 4)
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            if (r, k) == today:
                c.rect(box, BODY, radius=10)
                c.rect((box[0] + 5, box[1] + 5, box[2] - 5, box[3] - 5), SKY, radius=6)
            elif (r, k) < today and (r, k) not in missed:
                c.rect(box, SKY, radius=10)
                c.check_mark(centre, 34, 7, ACCENT)
            else:
                c.rect(box, SKY, radius=10)
    return c.finish()


def tip8_bird_dog():
    c = tip_canvas()
    _, end, _, _ = fig.ex_bird_dog()
    spine_deg = math.degrees(math.atan2(end.spine[1], end.spine[0]))
    # head in line with the spine; drawn over the reaching arm (pictogram
    # style, as draw_figures does for face-down poses) so it stays visible
    end.head_last = True
    end.look(polar(spine_deg + 8))
    scale = 4.6
    cam = Camera()
    top = T_FLOOR - 12
    c.mat(140, 760, top)
    c.figure(end, (centre_x(end, cam, 450, scale), top), scale, cam, name="tip8")
    return c.finish()


def tip9_therapist():
    c = tip_canvas(disc_c=(450, 300), disc_r=260)
    scale = 3.7
    floor = T_FLOOR
    c.floor(130, 770, floor)
    # patient on the right, facing right: a mini squat, arms reaching forward
    pt = upright(1.0, lean=22.0)
    pt.look(polar(72))
    for side in SIDES:
        hip = pt.hip(side)
        pt.leg_to(side, (hip[0] + 13.0, hip[1] - 42.0, hip[2]), X, polar(0))
        pt.arm_dirs(side, polar(-8 + (3 if side == FAR else 0)), polar(-4))
    stand_on(pt)
    c.figure(pt, (545, floor), scale, name="tip9-patient")
    # therapist behind, facing the patient: points at the patient's hips and
    # holds a clipboard low in the other hand
    th = standing(1.0, lean=2.0)
    th.look(polar(84))
    th.arm_dirs(FAR, polar(-48), polar(-22))  # far arm points to the patient's hips
    hold = add(add(th.chest, mul(th.front, HALF_DEPTH + 3.5)), (0.0, -9.0, 3.0))
    th.arm_to(NEAR, hold, (0.0, -1.0, 0.0))  # near hand holds a clipboard to the chest

    def clipboard(draw, fit, cam, mask):
        cx, cy = fit.px(cam.uv(th.arms[NEAR][2]))
        k = fit.scale * SS
        w2, h2 = 6.0 * k, 8.0 * k
        box = [cx - w2 + 2 * k, cy - h2 + 1 * k, cx + w2 + 2 * k, cy + h2 + 1 * k]
        draw.rounded_rectangle(box, radius=1.5 * k, fill=WHITE if mask else OBJ_DARK)
        if not mask:
            inner = [box[0] + 1.3 * k, box[1] + 2.2 * k, box[2] - 1.3 * k, box[3] - 1.3 * k]
            draw.rectangle(inner, fill=WHITE)
            mid = (box[0] + box[2]) / 2
            draw.rounded_rectangle([mid - 2.6 * k, box[1] - 0.8 * k, mid + 2.6 * k,
                                    box[1] + 1.6 * k], radius=0.8 * k, fill=ACCENT)
            for j in range(3):
                y = inner[1] + (2.6 + 3.0 * j) * k
                draw.rectangle([inner[0] + 1.4 * k, y, inner[2] - 1.4 * k, y + 1.0 * k],
                               fill=BODY_FAR)
            # the thumb over the board's edge
            draw.ellipse([cx - 2.0 * k, cy - 2.0 * k, cx + 2.0 * k, cy + 2.0 * k], fill=BODY)
        return [OBJ_DARK, ACCENT, BODY_FAR, BODY]

    c.figure(th, (275, floor), scale, name="tip9-therapist", after=clipboard)
    return c.finish()


def bezier(p0, p1, p2, n=24):
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1])
            for t in (i / n for i in range(n + 1))]


def draw_author(size=800):
    c = Canvas(size, size)
    cx = size / 2
    r = 360
    c.circle((cx, cx), r, SKY)
    # shoulders and neck on their own layer, clipped to the disc
    body = Canvas(size, size, SKY)
    body.rect((cx - 52, 450, cx + 52, 600), SKIN, radius=34)  # neck
    body.ellipse((cx - 300, 540, cx + 300, 1100), BODY)  # shoulders in a teal top
    body.polygon([(cx - 52, 540)] + bezier((cx - 60, 556), (cx - 20, 632), (cx, 636))
                 + bezier((cx, 636), (cx + 20, 632), (cx + 60, 556)) + [(cx + 52, 540)],
                 SKIN)  # v-neck
    body.polyline(bezier((cx - 68, 552), (cx - 22, 644), (cx, 646)), 12, BODY_FAR)
    body.polyline(bezier((cx, 646), (cx + 22, 644), (cx + 68, 552)), 12, BODY_FAR)
    body.rect((cx + 92, 662, cx + 166, 704), ACCENT, radius=9)  # name badge
    body.rect((cx + 106, 677, cx + 152, 685), WHITE, radius=4)
    mask = Image.new("L", c.img.size, 0)
    ImageDraw.Draw(mask).ellipse([(cx - r) * SS, (cx - r) * SS, (cx + r) * SS, (cx + r) * SS],
                                 fill=255)
    c.img.paste(body.img, (0, 0), mask)
    for col in body.colours:
        c._c(col)
    # head: ears, hair volume behind, face, then a side-swept fringe
    hc, hw, hh = (cx, 362), 116, 132  # face centre, half width, half height
    back = [(hc[0] + (hw + 12) * math.cos(a), hc[1] - 16 + (hh + 12) * math.sin(a))
            for a in (math.radians(172 + 196 * i / 48) for i in range(49))]
    c.polygon(back, HAIR)  # hair volume over the crown, down to the ears
    for sx in (-1, 1):
        ex = hc[0] + sx * (hw - 6)
        c.ellipse((ex - 24, hc[1] - 2, ex + 24, hc[1] + 52), SKIN)
    c.ellipse((hc[0] - hw, hc[1] - hh, hc[0] + hw, hc[1] + hh), SKIN)
    # side-swept fringe: low over the left temple, rising to a parting on the right
    top = [(hc[0] + (hw + 3) * math.cos(a), hc[1] - 6 + (hh + 3) * math.sin(a))
           for a in (math.radians(186 + 168 * i / 40) for i in range(41))]
    part = (hc[0] + 52, hc[1] - 108)
    fringe = (bezier(top[-1], (hc[0] + hw - 6, hc[1] - 92), part)
              + bezier(part, (hc[0] - 20, hc[1] - 110), top[0])[1:-1])
    c.polygon(top + fringe, HAIR)
    # eyes and smile
    for ex in (-44, 44):
        c.circle((hc[0] + ex, hc[1] + 22), 10, HAIR)
    c.polyline(bezier((hc[0] - 36, hc[1] + 68), (hc[0], hc[1] + 98), (hc[0] + 36, hc[1] + 68)),
               8, HAIR)
    return c.finish()


PICTURES = {
    "back-pain-cover": draw_cover,
    "tip-1": tip1_walk,
    "tip-2": tip2_core,
    "tip-3": tip3_breathe,
    "tip-4": tip4_sitting,
    "tip-5": tip5_steps,
    "tip-6": tip6_pain,
    "tip-7": tip7_calendar,
    "tip-8": tip8_bird_dog,
    "tip-9": tip9_therapist,
    "author": draw_author,
}


def contact_sheet(paths, out: Path, width=1800):
    """All pictures on one grey sheet, each scaled to a common row height."""
    thumbs = []
    for p in paths:
        im = Image.open(p).convert("RGB")
        h = 300 if im.width <= 900 else 400
        thumbs.append(im.resize((round(im.width * h / im.height), h), Image.LANCZOS))
    rows, row, x = [], [], 10
    for t in thumbs:
        if row and x + t.width + 10 > width:
            rows.append(row)
            row, x = [], 10
        row.append(t)
        x += t.width + 10
    rows.append(row)
    height = sum(max(t.height for t in r) + 10 for r in rows) + 10
    sheet = Image.new("RGB", (width, height), (120, 120, 120))
    y = 10
    for r in rows:
        x = 10
        for t in r:
            sheet.paste(t, (x, y))
            x += t.width + 10
        y += max(t.height for t in r) + 10
    sheet.save(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sheet", type=Path, help="also write a contact sheet of the pictures")
    ap.add_argument("--only", choices=sorted(PICTURES), help="draw only this picture")
    args = ap.parse_args()
    written = []
    for name, make in PICTURES.items():
        if args.only and name != args.only:
            continue
        path = OUT_DIR / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        make().save(path, optimize=True)
        written.append(path)
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1024:.0f} KB")
    if args.sheet:
        contact_sheet(written, args.sheet)


if __name__ == "__main__":
    main()
