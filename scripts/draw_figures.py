#!/usr/bin/env python3
"""Draw the exercise illustrations and the clinic logo used by the handouts.

Outputs (paths relative to the repository root):

* ``images/exercises/<id>-start.png`` and ``<id>-end.png`` for every exercise
  in ``EXERCISES``: 720x480 px, white background, a flat "figure pose" person
  on an exercise mat.  The END picture adds orange arrows showing the movement
  from the start position.
* ``images/clinic/logo.png``: the emblem of the fictional clinic
  "Brightwater Physical Therapy" (400x400 px, transparent background, no text).

The people are not hand drawn.  A small 3-D skeleton with fixed bone lengths is
posed for every picture with forward / inverse kinematics and projected with an
orthographic camera, so the start and end pictures of an exercise share limb
lengths, scale and placement.  Limbs on the far side of the body are drawn
first, in a lighter tint, so the near limbs overlap them.

Run it from anywhere (it only needs Pillow)::

    python scripts/draw_figures.py                  # write all PNGs
    python scripts/draw_figures.py --sheet /tmp/figures_sheet.png
                                                    # ...plus a contact sheet

The output is deterministic: no randomness and no timestamps, so running the
script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import copy
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
EXERCISE_DIR = ROOT / "images" / "exercises"
CLINIC_DIR = ROOT / "images" / "clinic"

# --------------------------------------------------------------------------
# Look
# --------------------------------------------------------------------------

BODY = (0x1F, 0x6F, 0x8B)  # clinic teal-blue: head, torso and near limbs
BODY_FAR = (0x8F, 0xB7, 0xC9)  # lighter tint for the limbs on the far side
ACCENT = (0xF2, 0x9E, 0x4C)  # motion arrows
MAT = (0xE3, 0xE7, 0xEA)  # exercise mat (top surface, or its edge when seen level)
MAT_EDGE = (0xD3, 0xDA, 0xDF)  # mat edge when the camera looks down on the mat
FLOOR = (0xA7, 0xB2, 0xBA)
WHITE = (255, 255, 255)

W, H = 720, 480  # final image size (3:2)
SS = 3  # supersampling factor: draw at 3x, downscale with LANCZOS
FIT_W = 590  # the figure (both poses + arrows) is scaled to about this width...
MAX_SCALE = 6.5  # ...but never beyond this many px per body unit
MARGIN = 30  # px kept free above the figure and below the floor line
MAT_THICK = 12  # px; the floor line runs along the mat's bottom edge
MAT_X0, MAT_X1 = 34, W - 34
HALO = 3.0  # white gap (px) around near limbs, so they read against the torso
ARROW_W = 9.0  # arrow shaft width (px)
ARROW_HEAD_L = 28.0
ARROW_HEAD_W = 30.0

# --------------------------------------------------------------------------
# Skeleton.  Units: 1 unit = 1 % of standing height (an adult is ~100 tall).
# The torso is a rigid rounded bar; hip and shoulder joints sit on it.
# --------------------------------------------------------------------------

TORSO = 27.0  # pelvis centre -> chest centre, along the torso's centre line
TORSO_DEPTH = 13.0  # front-to-back thickness (what a side view shows)
TORSO_WIDTH = 17.0  # side-to-side width (what a front view shows)
HALF_DEPTH = TORSO_DEPTH / 2
HIP_FWD = 1.5  # hip joints sit a little toward the belly from the centre line
SHOULDER_BACK = 2.5  # shoulder joints sit toward the back (shoulder blades)
SHOULDER_DOWN = 2.5  # ...and a little below the base of the neck
SHOULDER_HALF = 7.0  # centre -> left/right shoulder joint
HIP_HALF = 4.5  # centre -> left/right hip joint
NECK = 15.5  # chest centre -> head centre
HEAD_R = 6.8
UPPER_ARM, FOREARM = 17.0, 17.0  # forearm length is elbow -> centre of hand
THIGH, SHIN, FOOT = 24.0, 23.0, 9.0  # foot is ankle -> toes
# limb thickness at each joint; limbs taper from one joint to the next
SHOULDER_W, ELBOW_W, WRIST_W, HAND_R = 7.4, 6.0, 5.2, 3.6
HIP_W, KNEE_W, ANKLE_W, TOE_W = 10.0, 7.8, 6.2, 4.8

NEAR, FAR = "near", "far"
SIDES = (FAR, NEAR)  # drawing order: far side first
SIGN = {NEAR: 1.0, FAR: -1.0}

X, Y, Z = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
UP, DOWN = Y, (0.0, -1.0, 0.0)

# --------------------------------------------------------------------------
# Small vector helpers (3-tuples; no numpy needed)
# --------------------------------------------------------------------------


def add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def mul(a, k):
    return (a[0] * k, a[1] * k, a[2] * k)


def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def length(a):
    return math.sqrt(dot(a, a))


def unit(a):
    n = length(a)
    return mul(a, 1.0 / n)


def reject(a, b):
    """Part of a perpendicular to the unit vector b."""
    return sub(a, mul(b, dot(a, b)))


def lerp(a, b, t):
    return add(a, mul(sub(b, a), t))


def polar(deg, e1=X, e2=Y):
    """Unit vector at `deg` degrees in the plane (e1, e2), measured from e1 to e2.

    With the defaults this is the side-view plane: 0 = toward +x (the feet of a
    person lying with the head on the left), 90 = straight up.
    """
    r = math.radians(deg)
    return add(mul(e1, math.cos(r)), mul(e2, math.sin(r)))


def rotate(p, pivot, axis, deg):
    """Rotate point p by deg degrees about the line through pivot along axis."""
    k = unit(axis)
    v = sub(p, pivot)
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    v = add(add(mul(v, c), mul(cross(k, v), s)), mul(k, dot(k, v) * (1 - c)))
    return add(pivot, v)


def solve(f, lo, hi, steps=60):
    """Root of f in [lo, hi] by bisection (f must change sign)."""
    flo = f(lo)
    if flo * f(hi) > 0:
        raise ValueError("solve: no sign change in the bracket")
    for _ in range(steps):
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def two_bone(root, target, l1, l2, pole):
    """Two-bone inverse kinematics (shoulder-elbow-hand or hip-knee-ankle).

    Returns (middle, end).  The middle joint bends toward `pole`.  A target out
    of reach is approached as far as the bones allow, so bone lengths are always
    exact.
    """
    d_vec = sub(target, root)
    d = length(d_vec)
    u = unit(d_vec)
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    v = unit(reject(pole, u))
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)
    sin_a = math.sqrt(max(0.0, 1 - cos_a * cos_a))
    mid = add(root, add(mul(u, l1 * cos_a), mul(v, l1 * sin_a)))
    end = add(mid, mul(unit(sub(add(root, mul(u, d)), mid)), l2))
    return mid, end


# --------------------------------------------------------------------------
# Pose: the torso as a rigid body plus four limbs
# --------------------------------------------------------------------------


class Pose:
    """A posed figure in world coordinates.

    World axes: x to the right, y up (the mat surface is y = 0), z toward the
    viewer.  The torso is given by its pelvis-end centre point, the direction
    of the spine (pelvis -> chest) and the direction the belly faces; `near`
    points from the body's centre toward the side whose limbs face the viewer.
    """

    def __init__(self, pelvis, spine, front, near=Z):
        self.pelvis = pelvis
        self.spine = unit(spine)
        self.front = unit(reject(front, self.spine))
        self.near = unit(reject(reject(near, self.spine), self.front))
        self.chest = add(pelvis, mul(self.spine, TORSO))
        self.bend = 0.0  # how far the middle of the back bulges toward the back
        self.bend_at = 0.5  # where along the torso (0 pelvis .. 1 chest) it peaks
        self.belly = 0.0  # extra bulge of the lower belly
        self.back_gap = 0.0  # arch of the low back off the mat (lying on the back)
        # Lying face down the near arm would hide the head; pictograms draw the
        # head on top instead so the face-down person stays recognisable.
        self.head_last = False
        # Normally the far leg is hidden behind the near one; when both knees
        # fall toward the camera the far leg ends up on top of the near one.
        # Both are then drawn before the torso, which covers their roots.
        self.far_leg_on_top = False
        # In a front view of a side-lying person the lower arm is not hidden
        # behind the body; when it carries the weight it is drawn in full colour.
        self.far_arm_dark = False
        self.head = add(self.chest, mul(self.spine, NECK))
        self.arms: dict[str, list] = {}
        self.legs: dict[str, list] = {}

    @classmethod
    def planar(cls, pelvis_xy, spine_deg, front_deg, near=Z):
        """A torso lying in the side-view plane (the usual case)."""
        return cls((pelvis_xy[0], pelvis_xy[1], 0.0), polar(spine_deg), polar(front_deg), near)

    def copy(self) -> "Pose":
        return copy.deepcopy(self)

    # joints on the torso
    def hip(self, side=None):
        centre = add(self.pelvis, mul(self.front, HIP_FWD))
        return centre if side is None else add(centre, mul(self.near, SIGN[side] * HIP_HALF))

    def shoulder(self, side=None):
        offset = add(mul(self.front, SHOULDER_BACK), mul(self.spine, SHOULDER_DOWN))
        centre = sub(self.chest, offset)
        return centre if side is None else add(centre, mul(self.near, SIGN[side] * SHOULDER_HALF))

    # head
    def look(self, direction):
        self.head = add(self.chest, mul(unit(direction), NECK))

    def head_on_floor(self, lift=0.0):
        """Rest the head on the mat (centre HEAD_R + lift above it), beyond the chest."""
        dy = HEAD_R + lift - self.chest[1]
        sx = 1.0 if self.spine[0] > 0 else -1.0
        self.look((sx * math.sqrt(NECK * NECK - dy * dy), dy, 0.0))

    # limbs
    def arm_to(self, side, hand, pole):
        sh = self.shoulder(side)
        elbow, hand = two_bone(sh, hand, UPPER_ARM, FOREARM, pole)
        self.arms[side] = [sh, elbow, hand]

    def arm_dirs(self, side, upper, fore):
        sh = self.shoulder(side)
        elbow = add(sh, mul(unit(upper), UPPER_ARM))
        self.arms[side] = [sh, elbow, add(elbow, mul(unit(fore), FOREARM))]

    def leg_to(self, side, ankle, pole, foot):
        hip = self.hip(side)
        knee, ankle = two_bone(hip, ankle, THIGH, SHIN, pole)
        self.legs[side] = [hip, knee, ankle, add(ankle, mul(unit(foot), FOOT))]

    def leg_dirs(self, side, thigh, shin, foot):
        hip = self.hip(side)
        knee = add(hip, mul(unit(thigh), THIGH))
        ankle = add(knee, mul(unit(shin), SHIN))
        self.legs[side] = [hip, knee, ankle, add(ankle, mul(unit(foot), FOOT))]

    def foot_dir(self, side):
        return unit(sub(self.legs[side][3], self.legs[side][2]))

    def check(self, name):
        """Fail loudly if a limb is detached or a bone has the wrong length."""
        for side in SIDES:
            sh, el, ha = self.arms[side]
            hp, kn, an, to = self.legs[side]
            assert length(sub(sh, self.shoulder(side))) < 1e-6, f"{name}: {side} arm detached"
            assert length(sub(hp, self.hip(side))) < 1e-6, f"{name}: {side} leg detached"
            for a, b, want in ((sh, el, UPPER_ARM), (el, ha, FOREARM), (hp, kn, THIGH),
                               (kn, an, SHIN), (an, to, FOOT)):
                assert abs(length(sub(a, b)) - want) < 1e-6, f"{name}: bad {side} bone length"
        assert abs(length(sub(self.head, self.chest)) - NECK) < 1e-6, f"{name}: bad neck"


# --------------------------------------------------------------------------
# Camera and the 2-D shapes a pose turns into
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """Orthographic camera.

    yaw turns the figure a little so the far limbs peek out beside the near
    ones; pitch looks down onto the mat, for the few exercises whose movement
    happens in the floor plane.  mat_depth is half the mat's width across the
    body, which shows only when the camera looks down on the mat.
    """

    yaw: float = -20.0
    pitch: float = 0.0
    mat_depth: float = 30.0

    def view(self, p):
        """World point -> (u right, v up, w toward the camera)."""
        cy, sy = math.cos(math.radians(self.yaw)), math.sin(math.radians(self.yaw))
        cp, sp = math.cos(math.radians(self.pitch)), math.sin(math.radians(self.pitch))
        x1 = p[0] * cy + p[2] * sy
        z1 = -p[0] * sy + p[2] * cy
        return (x1, p[1] * cp - z1 * sp, p[1] * sp + z1 * cp)

    def uv(self, p):
        u, v, _ = self.view(p)
        return (u, v)

    def mat_band(self):
        """Half the apparent height (body units) of the mat's top face.

        The mat is drawn as a picture-wide band centred on the body's plane
        (z = 0).  With both yaw and pitch that is a simplification (a true
        projection would be a parallelogram), but it reads as a mat.
        """
        return self.mat_depth * math.sin(math.radians(self.pitch))


@dataclass
class Shape:
    kind: str  # "chain" (limb, torso), "disc" (head) or "polygon"
    pts: list  # 2-D points in camera units (u, v)
    widths: list  # thickness at each point (chain) or [diameter] (disc)
    color: tuple
    halo: bool = False
    end_r: float = 0.0  # extra round blob at the last point (the hand)


def torso_centre_line(pose: Pose, n=24):
    """Points along the torso's centre line, curved by pose.bend (cat / cow)."""
    back = mul(pose.front, -1.0)
    pts = []
    for i in range(n + 1):
        t = i / n
        # smooth bump that is 0 at both ends and peaks at bend_at
        s = t / pose.bend_at if t <= pose.bend_at else (1 - t) / (1 - pose.bend_at)
        bump = math.sin(math.pi / 2 * s) ** 2
        pts.append(add(lerp(pose.pelvis, pose.chest, t), mul(back, pose.bend * bump)))
    return pts


BELLY_R = 9.0


def belly_disc(pose: Pose):
    """Centre and radius of the disc that makes the belly bulge by pose.belly."""
    at = lerp(pose.pelvis, pose.chest, 0.5)
    return add(at, mul(pose.front, HALF_DEPTH - BELLY_R + pose.belly)), BELLY_R


def pose_shapes(pose: Pose, cam: Camera):
    """Turn a pose into shapes, in drawing order (far limbs first)."""
    shapes = []

    def limb(side, kind):
        dark = side == NEAR or (kind == "arm" and pose.far_arm_dark)
        color = BODY if dark else BODY_FAR
        if kind == "arm":
            pts, widths, end_r = pose.arms[side], [SHOULDER_W, ELBOW_W, WRIST_W], HAND_R
        else:
            pts, widths, end_r = pose.legs[side], [HIP_W, KNEE_W, ANKLE_W, TOE_W], 0.0
        return Shape("chain", [cam.uv(p) for p in pts], widths, color, dark, end_r)

    shapes.append(limb(FAR, "arm"))
    if pose.far_leg_on_top:
        shapes += [limb(NEAR, "leg"), limb(FAR, "leg")]
    else:
        shapes.append(limb(FAR, "leg"))

    # Torso: a thick rounded bar.  Its apparent width depends on how the body's
    # front/back and left/right axes face the camera (elliptical cross-section).
    line = [cam.uv(p) for p in torso_centre_line(pose)]
    su, sv = line[-1][0] - line[0][0], line[-1][1] - line[0][1]
    n = math.hypot(su, sv) or 1.0
    perp = (-sv / n, su / n)

    def across(vec):
        u, v = cam.uv(vec)  # camera projection is linear: works for directions
        return abs(u * perp[0] + v * perp[1])

    half = math.hypot(HALF_DEPTH * across(pose.front), TORSO_WIDTH / 2 * across(pose.near))
    shapes.append(Shape("chain", line, [2 * half] * len(line), BODY))
    if pose.back_gap > 0:
        # the hollow of the low back: a flat half-ellipse of background colour
        # cut out of the torso's back edge, just above the pelvis (only used
        # in side views, where the background there is white)
        back = mul(pose.front, -HALF_DEPTH)
        centre = add(lerp(pose.pelvis, pose.chest, 0.24), back)
        gap = [cam.uv(add(centre, add(mul(pose.spine, 8.0 * math.cos(t)),
                                      mul(pose.front, pose.back_gap * math.sin(t)))))
               for t in (math.pi * i / 24 for i in range(25))]
        shapes.append(Shape("polygon", gap, [], WHITE))
    if pose.belly > 0:
        centre, r = belly_disc(pose)
        shapes.append(Shape("disc", [cam.uv(centre)], [2 * r], BODY))
    head = [Shape("chain", [cam.uv(pose.chest), cam.uv(pose.head)], [6.0, 6.0], BODY),
            Shape("disc", [cam.uv(pose.head)], [2 * HEAD_R], BODY, halo=True)]
    if not pose.head_last:
        shapes += head
    if not pose.far_leg_on_top:
        shapes.append(limb(NEAR, "leg"))
    shapes.append(limb(NEAR, "arm"))
    if pose.head_last:
        shapes += head
    return shapes


def shape_bounds(shapes):
    us, vs = [], []
    for sh in shapes:
        r = max(sh.widths, default=0.0) / 2 + sh.end_r
        for u, v in sh.pts:
            us += [u - r, u + r]
            vs += [v - r, v + r]
    return min(us), max(us), min(vs), max(vs)


# --------------------------------------------------------------------------
# Arrows (defined in world space, drawn in screen space)
# --------------------------------------------------------------------------


@dataclass
class Vertical:
    """Straight up/down arrow in the picture, beside the world point `anchor`.

    It runs from v_from to v_to body units above (negative: below) the
    anchor as the camera sees it.
    """

    anchor: tuple
    v_from: float
    v_to: float

    def path(self, cam):
        u, v = cam.uv(self.anchor)
        return [(u, v + self.v_from), (u, v + self.v_to)]


@dataclass
class Arc:
    """Curved arrow around `centre`, from the direction of `start` to that of `end`.

    The radius is `radius` if given, else the farther of the two points plus
    `pad`; `trim` degrees are cut from both ends so the arrow does not touch
    the limbs.
    """

    centre: tuple
    start: tuple
    end: tuple
    pad: float = 6.0
    trim: float = 4.0
    radius: float | None = None

    def path(self, cam, n=40):
        c, a, b = cam.uv(self.centre), cam.uv(self.start), cam.uv(self.end)
        r = self.radius or max(math.dist(a, c), math.dist(b, c)) + self.pad
        a0 = math.atan2(a[1] - c[1], a[0] - c[0])
        a1 = math.atan2(b[1] - c[1], b[0] - c[0])
        delta = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi  # shortest way round
        tr = math.radians(self.trim) * (1 if delta > 0 else -1)
        a0, delta = a0 + tr, delta - 2 * tr
        return [(c[0] + r * math.cos(a0 + delta * i / n), c[1] + r * math.sin(a0 + delta * i / n))
                for i in range(n + 1)]


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


@dataclass
class Fit:
    """Maps camera units to final-image pixels (shared by start and end)."""

    scale: float
    u_mid: float
    base_y: float  # pixel row of the mat surface under the body (v = 0)
    mat_top: float  # pixel row of the mat's front top edge

    def px(self, uv):
        return ((W / 2 + self.scale * (uv[0] - self.u_mid)) * SS,
                (self.base_y - self.scale * uv[1]) * SS)


def fit_for(shape_lists, arrow_paths, cam):
    us, vs = [], []
    for shapes in shape_lists:
        u0, u1, v0, v1 = shape_bounds(shapes)
        us += [u0, u1]
        vs += [v0, v1]
    for path in arrow_paths:
        for u, v in path:  # arrows: keep ~4 units clear for the arrow head
            us += [u - 4, u + 4]
            vs += [v - 4, v + 4]
    band = cam.mat_band()
    tall = max(max(vs), band) + band  # body units from the mat's front edge to the top
    scale = min(MAX_SCALE, FIT_W / (max(us) - min(us)), (H - 2 * MARGIN - MAT_THICK) / tall)
    # centre the figure-plus-mat group vertically (lying poses are flat)
    mat_top = (H + scale * tall - MAT_THICK) / 2
    return Fit(scale, (max(us) + min(us)) / 2, mat_top - scale * band, mat_top)


def draw_segment(draw, p, q, width, color, width_q=None):
    """A thick line with round caps, tapering from `width` at p to `width_q` at q."""
    r1 = width / 2
    r2 = r1 if width_q is None else width_q / 2
    dx, dy = q[0] - p[0], q[1] - p[1]
    n = math.hypot(dx, dy)
    if n > 1e-9:
        nx, ny = -dy / n, dx / n
        draw.polygon([(p[0] + nx * r1, p[1] + ny * r1), (q[0] + nx * r2, q[1] + ny * r2),
                      (q[0] - nx * r2, q[1] - ny * r2), (p[0] - nx * r1, p[1] - ny * r1)],
                     fill=color)
    for c, r in ((p, r1), (q, r2)):
        draw.ellipse([c[0] - r, c[1] - r, c[0] + r, c[1] + r], fill=color)


def draw_shape(draw, sh: Shape, fit: Fit):
    pts = [fit.px(p) for p in sh.pts]
    if sh.kind == "polygon":
        draw.polygon(pts, fill=sh.color)
        return
    k = fit.scale * SS  # body units -> supersampled pixels
    passes = [(HALO * SS, WHITE), (0.0, sh.color)] if sh.halo else [(0.0, sh.color)]
    for extra, color in passes:  # white outline first, then the colour on top
        if sh.kind == "disc":
            r = sh.widths[0] / 2 * k + extra
            c = pts[0]
            draw.ellipse([c[0] - r, c[1] - r, c[0] + r, c[1] + r], fill=color)
            continue
        for i in range(len(pts) - 1):
            draw_segment(draw, pts[i], pts[i + 1], sh.widths[i] * k + 2 * extra, color,
                         sh.widths[i + 1] * k + 2 * extra)
        if sh.end_r:
            r = sh.end_r * k + extra
            c = pts[-1]
            draw.ellipse([c[0] - r, c[1] - r, c[0] + r, c[1] + r], fill=color)


def draw_arrow(draw, path_uv, fit: Fit):
    pts = [fit.px(p) for p in path_uv]
    head_l, head_w, shaft_w, halo = (ARROW_HEAD_L * SS, ARROW_HEAD_W * SS,
                                     ARROW_W * SS, HALO * SS)
    # walk back from the tip to where the head's base sits
    tip = pts[-1]
    remaining, i = head_l, len(pts) - 1
    base = pts[0]
    while i > 0:
        seg = math.dist(pts[i], pts[i - 1])
        if seg >= remaining:
            t = remaining / seg
            base = (pts[i][0] + (pts[i - 1][0] - pts[i][0]) * t,
                    pts[i][1] + (pts[i - 1][1] - pts[i][1]) * t)
            break
        remaining -= seg
        i -= 1
    shaft = pts[:i] + [base]
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    n = math.hypot(dx, dy)
    ox, oy = -dy / n * head_w / 2, dx / n * head_w / 2
    head = [tip, (base[0] + ox, base[1] + oy), (base[0] - ox, base[1] - oy)]
    for extra, color in ((halo, WHITE), (0.0, ACCENT)):
        for p, q in zip(shaft, shaft[1:]):
            draw_segment(draw, p, q, shaft_w + 2 * extra, color)
        if extra:
            draw.line(head + [head[0]], fill=color, width=int(2 * extra), joint="curve")
            for c in head:
                draw.ellipse([c[0] - extra, c[1] - extra, c[0] + extra, c[1] + extra], fill=color)
        draw.polygon(head, fill=color)


def draw_floor(draw, fit: Fit, cam: Camera):
    band = cam.mat_band() * fit.scale
    top, floor = fit.mat_top, fit.mat_top + MAT_THICK
    x0, x1 = MAT_X0 * SS, MAT_X1 * SS
    edge = MAT
    if band > 0:  # looking down: the mat's top face shows above its front edge
        draw.rectangle([x0, (top - 2 * band) * SS, x1, top * SS], fill=MAT)
        edge = MAT_EDGE
    draw.rectangle([x0, top * SS, x1, floor * SS], fill=edge)
    draw.rectangle([12 * SS, (floor - 1) * SS, (W - 12) * SS, (floor + 2) * SS], fill=FLOOR)


def fixed_palette():
    """The drawing colours plus three blends between every pair of them.

    Anti-aliased edges only ever mix two colours, so this small fixed palette
    keeps the exact brand colours (an adaptive palette may shift a small
    orange arrow toward brown) and keeps the files small.
    """
    keys = [WHITE, BODY, BODY_FAR, ACCENT, MAT, MAT_EDGE, FLOOR]
    colours = list(keys)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            for t in (0.25, 0.5, 0.75):
                colours.append(tuple(round(x + (y - x) * t) for x, y in zip(a, b)))
    pal = Image.new("P", (1, 1))
    pal.putpalette([c for rgb in colours for c in rgb])
    return pal


PALETTE = fixed_palette()


def finish(img: Image.Image) -> Image.Image:
    """Downscale the supersampled drawing and map it onto the fixed palette."""
    img = img.resize((W, H), Image.LANCZOS)
    return img.quantize(palette=PALETTE, dither=Image.Dither.NONE)


def render(pose: Pose, cam: Camera, fit: Fit, arrows=()):
    img = Image.new("RGB", (W * SS, H * SS), WHITE)
    draw = ImageDraw.Draw(img)
    draw_floor(draw, fit, cam)
    for sh in pose_shapes(pose, cam):
        draw_shape(draw, sh, fit)
    for arrow in arrows:
        draw_arrow(draw, arrow.path(cam), fit)
    return finish(img)


# --------------------------------------------------------------------------
# Building blocks for poses
# --------------------------------------------------------------------------

ANKLE_FLOOR = ANKLE_W / 2  # ankle height when the heel / lower leg rests on the mat


def supine():
    """Lying on the back, head to the left, torso flat on the mat."""
    p = Pose.planar((0.0, HALF_DEPTH), 180, 90)
    p.head_on_floor()
    return p


def prone():
    """Lying face down, head to the left."""
    p = Pose.planar((0.0, HALF_DEPTH), 180, 270)
    p.head_on_floor(lift=1.0)
    p.head_last = True
    return p


def feet_flat(p, ankle_x=31.0):
    """Knees bent, feet flat on the mat (crook lying)."""
    for side in SIDES:
        ankle = (ankle_x, ANKLE_FLOOR + 0.3, p.hip(side)[2])
        p.leg_to(side, ankle, UP, polar(-7))


def arms_by_sides(p, hands=None):
    """Arms resting on the mat beside the body; returns the hand positions."""
    if hands is None:
        hands = {}
        for side in SIDES:
            sh = p.shoulder(side)
            # almost the full arm length away, so the arm lies nearly straight
            hands[side] = (sh[0] + 34.7, HAND_R, sh[2] + SIGN[side] * 1.5)
    for side in SIDES:
        p.arm_to(side, hands[side], UP)
    return hands


def tabletop(p, side):
    """Hip and knee bent to 90 degrees, shin level."""
    p.leg_dirs(side, polar(90), polar(0), polar(75))


def arm_up(p, side):
    p.arm_dirs(side, polar(90), polar(90))


def quadruped(bend=0.0, head_deg=None):
    """On hands and knees: arms straight under the shoulders, thighs vertical."""
    hip_y = KNEE_W / 2 + THIGH  # knee resting on the mat

    def torso(a):
        # spine rises toward the head by `a` degrees; the belly faces down
        front = polar(270 - a)
        pelvis = sub((0.0, hip_y, 0.0), mul(front, HIP_FWD))
        return Pose((pelvis[0], pelvis[1], 0.0), polar(180 - a), front)

    # tilt the torso until straight vertical arms just reach the mat
    reach = HAND_R + UPPER_ARM + FOREARM
    a = solve(lambda a: torso(a).shoulder()[1] - reach, -10, 40)
    p = torso(a)
    p.bend = bend
    p.look(polar(180 - a - 8 if head_deg is None else head_deg))
    for side in SIDES:
        p.arm_dirs(side, DOWN, DOWN)
        hip = p.hip(side)
        knee = (hip[0], KNEE_W / 2, hip[2])
        # shin flat on the mat behind the knee, top of the foot down
        ankle = add(knee, mul(unit((SHIN, ANKLE_FLOOR - knee[1], 0.0)), SHIN))
        p.legs[side] = [hip, knee, ankle, add(ankle, mul(polar(-6), FOOT))]
    return p


# --------------------------------------------------------------------------
# The exercises.  Each function returns (start pose, end pose, arrows, camera).
# --------------------------------------------------------------------------


def hands_on(p, x, surface_y):
    """Rest both hands on the front of the body at x; elbows down by the sides."""
    for side in SIDES:
        p.arm_to(side, (x, surface_y + HAND_R - 0.4, p.shoulder(side)[2] * 0.4), polar(-90))


def ex_pelvic_tilt():
    start = supine()
    feet_flat(start)
    # hands on the hip bones (a usual cue); arms by the sides would hide the gap
    hands_on(start, 0.0, 2 * HALF_DEPTH)
    start.back_gap = 3.0  # neutral spine: small hollow under the low back
    end = start.copy()
    end.back_gap = 0.0  # low back pressed flat into the mat
    pel = end.pelvis
    # posterior tilt: the pelvis rocks so the pubic bone comes up toward the
    # ribs and the low back goes down; the arrow ends pointing at the low back
    arrows = [Arc(pel, add(pel, polar(-10)), add(pel, polar(150)), radius=HALF_DEPTH + 11, trim=0)]
    return start, end, arrows, Camera()


def ex_abdominal_draw_in():
    def pose(belly):
        p = supine()
        feet_flat(p)
        p.belly = belly
        # hands rest on the lower belly, elbows down on the mat beside the body
        x = -3.0
        centre, r = belly_disc(p)
        top = max(2 * HALF_DEPTH, centre[1] + math.sqrt(max(0.0, r * r - (x - centre[0]) ** 2)))
        hands_on(p, x, top)
        return p

    start, end = pose(3.5), pose(0.0)  # relaxed belly -> drawn in
    top = add(belly_disc(start)[0], (0.0, BELLY_R, 0.0))
    arrows = [Vertical(top, 16.0, 1.0)]
    return start, end, arrows, Camera()


def dead_bug_start():
    p = supine()
    for side in SIDES:
        tabletop(p, side)
        arm_up(p, side)
    return p


def ex_dead_bug_toe_tap():
    start = supine()
    for side in SIDES:
        tabletop(start, side)
    hands = arms_by_sides(start)
    end = start.copy()

    def tap(phi):  # keep the knee at 90 degrees, swing the thigh down by phi
        end.leg_dirs(NEAR, polar(phi), polar(phi - 90), polar(phi - 15))
        return end.legs[NEAR][2][1] - (ANKLE_FLOOR + 0.5)

    tap(solve(tap, 10, 90))
    arms_by_sides(end, hands)
    hip = end.hip(NEAR)
    arrows = [Arc(hip, start.legs[NEAR][2], end.legs[NEAR][2], pad=7, trim=6)]
    return start, end, arrows, Camera()


def ex_dead_bug_arm_reach():
    start = dead_bug_start()
    end = start.copy()
    end.arm_dirs(NEAR, polar(172), polar(172))
    sh = end.shoulder(NEAR)
    arrows = [Arc(sh, start.arms[NEAR][2], end.arms[NEAR][2], pad=6, trim=8)]
    return start, end, arrows, Camera()


def ex_dead_bug():
    start = dead_bug_start()
    end = start.copy()
    end.arm_dirs(NEAR, polar(172), polar(172))  # opposite arm and leg: near arm...
    end.leg_dirs(FAR, polar(14), polar(14), polar(5))  # ...and far leg
    arrows = [
        Arc(end.shoulder(NEAR), start.arms[NEAR][2], end.arms[NEAR][2], pad=6, trim=8),
        Arc(end.hip(FAR), start.legs[FAR][2], end.legs[FAR][2], pad=8, trim=6),
    ]
    return start, end, arrows, Camera()


def bridge_up(start: Pose) -> Pose:
    """Lift the hips until shoulders, hips and knees are in one line.

    The chest end of the torso stays on the mat and the feet stay planted, so
    the torso angle is solved such that the knee, on the shoulder-hip line, is
    exactly one shin length from the planted ankle.
    """
    chest = start.chest
    ankle = start.legs[NEAR][2]

    def torso(beta):
        pelvis = add(chest, mul(polar(beta), TORSO))
        return Pose(pelvis, polar(beta + 180), polar(beta + 90))

    def miss(beta):
        p = torso(beta)
        knee = add(p.hip(NEAR), mul(polar(beta), THIGH))
        return length(sub(knee, ankle)) - SHIN

    p = torso(solve(miss, 2, 60))
    p.head_on_floor()
    for side in SIDES:
        p.leg_to(side, start.legs[side][2], UP, start.foot_dir(side))
    arms_by_sides(p, {s: start.arms[s][2] for s in SIDES})
    return p


def ex_bridge():
    start = supine()
    feet_flat(start)
    arms_by_sides(start)
    end = bridge_up(start)
    top = add(end.pelvis, mul(end.front, HALF_DEPTH))
    arrows = [Vertical(top, 3.0, 17.0)]
    return start, end, arrows, Camera()


def ex_marching_bridge():
    flat = supine()
    feet_flat(flat)
    arms_by_sides(flat)
    start = bridge_up(flat)
    end = start.copy()
    end.leg_dirs(NEAR, polar(98), polar(8), polar(78))
    arrows = [Arc(end.hip(NEAR), start.legs[NEAR][2], end.legs[NEAR][2], pad=8, trim=6)]
    return start, end, arrows, Camera()


def ex_lower_back_rotation():
    start = supine()
    for side in SIDES:  # knees and feet together, arms out to the sides
        start.leg_to(side, (31.0, ANKLE_FLOOR + 0.3, SIGN[side] * 3.0), UP, polar(-7))
        out = (0.12, -0.04, SIGN[side])
        start.arm_dirs(side, out, out)
    end = start.copy()
    for side in SIDES:
        hip, knee, ankle, toe = end.legs[side]
        # let the knees fall toward the camera, turning about the hip-ankle line
        axis = sub(ankle, hip)
        end.legs[side] = [hip, rotate(knee, hip, axis, 62), ankle, rotate(toe, hip, axis, 62)]
    end.far_leg_on_top = True
    arrows = [Arc(end.hip(FAR), start.legs[FAR][1], end.legs[FAR][1], pad=9, trim=2)]
    # A side view cannot show the knees falling sideways, so the camera looks
    # down from above the near side (the knees fall toward it, which shows the
    # bent legs lying on their side); the mat is deep enough for the arms.
    return start, end, arrows, Camera(yaw=-20.0, pitch=52.0, mat_depth=48.0)


def ex_cat_cow():
    start = quadruped(bend=-3.0, head_deg=150)  # cow: back sags, head up
    end = quadruped(bend=6.0, head_deg=245)  # cat: back rounded, head down
    mid = lerp(end.pelvis, end.chest, 0.5)
    arrows = [Vertical(mid, 14.0, 27.0)]
    return start, end, arrows, Camera()


def prone_stretched():
    """Face down, arms stretched overhead on the mat, legs straight."""
    p = prone()
    for side in SIDES:
        sh = p.shoulder(side)
        p.arm_to(side, (sh[0] - 34.8, HAND_R, sh[2]), UP)
        p.leg_to(side, (47.0, ANKLE_FLOOR, p.hip(side)[2]), DOWN, polar(-8))
    return p


def rise_arrow(before, after, dx):
    """Vertical arrow beside a hand or foot that rose from `before` to `after`."""
    top = max(after[1] + 4.0, before[1] + 14.0)  # at least 14 units long
    return Vertical((after[0] + dx, 0.0, 0.0), before[1] + 1.0, top)


def ex_superman():
    start = prone_stretched()
    # the lift pivots about the lower belly, which stays on the mat
    end = Pose.planar((start.pelvis[0], start.pelvis[1]), 168, 258)
    end.head_last = True
    end.look(polar(172))
    for side in SIDES:
        end.arm_dirs(side, polar(165), polar(165))
        end.leg_dirs(side, polar(10), polar(10), polar(2))
    arrows = [rise_arrow(start.arms[NEAR][2], end.arms[NEAR][2], -HAND_R - 6),
              rise_arrow(start.legs[NEAR][3], end.legs[NEAR][3], 7)]
    return start, end, arrows, Camera()


def ex_prone_swimmers():
    start = prone_stretched()
    end = start.copy()
    end.arm_dirs(NEAR, polar(164), polar(164))  # one arm...
    end.leg_dirs(FAR, polar(11), polar(11), polar(3))  # ...and the opposite leg
    arrows = [rise_arrow(start.arms[NEAR][2], end.arms[NEAR][2], -HAND_R - 6),
              rise_arrow(start.legs[FAR][3], end.legs[FAR][3], 7)]
    return start, end, arrows, Camera()


def ex_bird_dog():
    start = quadruped()
    end = start.copy()
    a = math.degrees(math.asin(end.spine[1]))  # how much the back slopes up to the head
    end.arm_dirs(NEAR, polar(180 - a), polar(180 - a))  # arm straight ahead...
    end.leg_dirs(FAR, polar(-a + 2), polar(-a + 2), polar(-80))  # ...opposite leg back
    arrows = [
        Arc(end.shoulder(NEAR), start.arms[NEAR][2], end.arms[NEAR][2], pad=6, trim=8),
        Arc(end.hip(FAR), start.legs[FAR][2], end.legs[FAR][2], pad=9, trim=3),
    ]
    return start, end, arrows, Camera()


def ex_glute_kickback():
    start = quadruped()
    end = start.copy()
    end.leg_dirs(NEAR, polar(4), polar(92), polar(4))  # thigh back at hip height, sole up
    arrows = [Arc(end.hip(NEAR), start.legs[NEAR][3], end.legs[NEAR][2], pad=8, trim=6)]
    return start, end, arrows, Camera()


def ex_forearm_plank():
    shoulder_y = ELBOW_W / 2 + UPPER_ARM  # elbow on the mat, upper arm vertical

    def on_forearms(pose):
        for side in SIDES:
            pose.arm_dirs(side, polar(270), polar(178))

    def torso_from_pelvis(a):
        return Pose.planar((0.0, HALF_DEPTH), 180 - a, 270 - a)

    start = torso_from_pelvis(solve(lambda a: torso_from_pelvis(a).shoulder()[1] - shoulder_y,
                                    0, 60))
    start.look(start.spine)
    on_forearms(start)
    for side in SIDES:  # knees (whole legs) down on the mat
        start.leg_to(side, (47.0, ANKLE_FLOOR, start.hip(side)[2]), DOWN, polar(-8))

    sh = start.shoulder()  # the shoulders stay above the elbows

    def plank(a):
        spine, front = polar(180 - a), polar(270 - a)
        chest = add(sh, add(mul(front, SHOULDER_BACK), mul(spine, SHOULDER_DOWN)))
        p = Pose(sub(chest, mul(spine, TORSO)), spine, front)
        for side in SIDES:  # legs in line with the torso, up on the toes
            back = mul(spine, -1.0)
            p.leg_dirs(side, back, back, polar(-a - 95))
        return p

    end = plank(solve(lambda a: plank(a).legs[NEAR][3][1] - TOE_W / 2, -5, 40))
    end.look(end.spine)
    on_forearms(end)
    pel = end.pelvis
    arrows = [Vertical(pel, 10.0, 23.0)]
    return start, end, arrows, Camera()


def ex_side_plank():
    # The person lies on the left side with the belly toward us (+z); "near"
    # limbs are the upper ones.  The camera is turned toward the head and
    # looks down a little so the lower legs, bent back behind the knees, and
    # the forearm on the mat stay visible.
    elbow_y = ELBOW_W / 2
    sh_y = elbow_y + UPPER_ARM  # upper arm vertical, elbow under the shoulder
    shin_dir, foot_dir = (0.05, -0.02, -1.0), (0.1, -0.05, -1.0)

    def body(a, pelvis):
        return Pose(pelvis, polar(180 - a), Z, near=polar(90 - a))

    # start: hips on the mat, torso tilted up until the lower shoulder is
    # above the elbow
    pelvis0 = (0.0, TORSO_WIDTH / 2, 0.0)
    a0 = solve(lambda a: body(a, pelvis0).shoulder(FAR)[1] - sh_y, 0, 80)
    start = body(a0, pelvis0)
    for side in SIDES:
        hip = start.hip(side)
        # knees on the mat, the upper knee resting on the lower one
        knee_y = KNEE_W / 2 + (KNEE_W + 1.0 if side == NEAR else 0.0)
        thigh = unit((THIGH, knee_y - hip[1], 0.0))
        start.leg_dirs(side, thigh, shin_dir, foot_dir)
    knee = start.legs[FAR][1]

    # end: pivot on the lower knee until head, hips and knees are in line and
    # the lower shoulder is again right above the elbow
    def lifted(a):
        spine, n = polar(180 - a), polar(90 - a)
        centre = add(add(knee, mul(spine, THIGH)), mul(n, HIP_HALF))
        return body(a, sub(centre, mul(Z, HIP_FWD)))

    a1 = solve(lambda a: lifted(a).shoulder(FAR)[1] - sh_y, 0, 60)
    end = lifted(a1)
    # slide the whole body so the elbow stays put (the knees turn in place)
    dx = start.shoulder(FAR)[0] - end.shoulder(FAR)[0]
    end = body(a1, add(end.pelvis, (dx, 0.0, 0.0)))
    for side in SIDES:
        end.leg_dirs(side, mul(end.spine, -1.0), shin_dir, foot_dir)
    for p in (start, end):
        p.look(add(p.spine, mul(p.near, 0.15)))
        p.arm_dirs(FAR, DOWN, (-0.8, 0.02, 0.6))  # forearm on the mat, angled forward
        hand_on_hip = add(add(p.hip(NEAR), mul(p.near, 3.0)), mul(Z, 2.0))
        p.arm_to(NEAR, hand_on_hip, UP)  # elbow points to the ceiling
        p.far_arm_dark = True
    # the gap under the lifted hips is small, so the arrow starts on the mat
    # in front of the body
    cam = Camera(yaw=25.0, pitch=15.0, mat_depth=24.0)
    under = sub(end.pelvis, (0.0, TORSO_WIDTH / 2 + 1.0, 0.0))
    arrows = [Vertical(under, -cam.uv(under)[1] - 4.0, 0.0)]
    return start, end, arrows, cam


def ex_clamshell():
    # Lying on the left side, belly toward us (+z), seen from the front and
    # above: the hip/knee bend lies flat on the mat, so it only shows when the
    # camera looks down on the mat, and the opening knee rises toward the
    # ceiling (up in the picture).
    def base():
        p = Pose((0.0, 10.5, 0.0), polar(180), Z, near=UP)
        # lower arm stretched out on the mat above the head, head resting on it
        p.arm_dirs(FAR, (-1.0, -0.01, 0.0), (-1.0, 0.0, 0.0))
        dy = SHOULDER_W + HEAD_R + 0.3 - p.chest[1]
        p.look((-math.sqrt(NECK * NECK - dy * dy), dy, 0.0))
        # upper arm resting along the body, hand on the hip
        p.arm_to(NEAR, add(p.hip(NEAR), (-3.0, 5.0, 4.0)), (0.0, 1.0, -0.4))
        p.leg_dirs(FAR, polar(55, X, Z), polar(-35, X, Z), polar(75, X, Z))
        ankle_top = add(p.legs[FAR][2], (0.0, ANKLE_W + 0.5, 0.0))  # feet stacked
        p.leg_to(NEAR, ankle_top, Z, polar(75, X, Z))
        return p

    start = base()
    end = base()
    hip, knee, ankle, toe = end.legs[NEAR]
    axis = sub(ankle, hip)  # the clam hinge: the knee turns about the hip-ankle line
    knee_open = rotate(knee, hip, axis, -50)
    if knee_open[1] < knee[1]:  # pick the direction that lifts the knee
        knee_open = rotate(knee, hip, axis, 50)
    end.legs[NEAR] = [hip, knee_open, ankle, toe]
    arrows = [Arc(ankle, knee, knee_open, pad=9, trim=2)]
    return start, end, arrows, Camera(yaw=0.0, pitch=30.0, mat_depth=24.0)


EXERCISES = {
    "pelvic-tilt": ex_pelvic_tilt,
    "abdominal-draw-in": ex_abdominal_draw_in,
    "dead-bug-toe-tap": ex_dead_bug_toe_tap,
    "dead-bug-arm-reach": ex_dead_bug_arm_reach,
    "dead-bug": ex_dead_bug,
    "bridge": ex_bridge,
    "marching-bridge": ex_marching_bridge,
    "lower-back-rotation": ex_lower_back_rotation,
    "cat-cow": ex_cat_cow,
    "superman": ex_superman,
    "prone-swimmers": ex_prone_swimmers,
    "bird-dog": ex_bird_dog,
    "forearm-plank": ex_forearm_plank,
    "side-plank": ex_side_plank,
    "clamshell": ex_clamshell,
    "glute-kickback": ex_glute_kickback,
}


def draw_exercise(ex_id):
    start, end, arrows, cam = EXERCISES[ex_id]()
    start.check(f"{ex_id}-start")
    end.check(f"{ex_id}-end")
    fit = fit_for([pose_shapes(start, cam), pose_shapes(end, cam)],
                  [a.path(cam) for a in arrows], cam)
    return render(start, cam, fit), render(end, cam, fit, arrows)


# --------------------------------------------------------------------------
# Clinic logo
# --------------------------------------------------------------------------


def draw_logo(size=400):
    """Brightwater emblem: a figure stretching up out of two waves, in a disc."""
    k = 4  # supersampling
    s = size * k
    c = s / 2
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    r_out = 0.48 * s
    draw.ellipse([c - r_out, c - r_out, c + r_out, c + r_out], fill=BODY + (255,))

    # the inside is drawn on its own layer and clipped to an inner disc
    inner = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(inner)

    def seg(p, q, w, color):
        draw_segment(d, (p[0] * s, p[1] * s), (q[0] * s, q[1] * s), w * s, color)

    white = WHITE + (255,)
    accent = ACCENT + (255,)
    # stretching figure: torso, arms raised in a V, head as a rising sun
    seg((0.50, 0.68), (0.50, 0.485), 0.09, white)
    seg((0.50, 0.50), (0.345, 0.295), 0.045, white)
    seg((0.50, 0.50), (0.655, 0.295), 0.045, white)
    hr = 0.058 * s
    hc = (0.50 * s, 0.36 * s)
    d.ellipse([hc[0] - hr, hc[1] - hr, hc[0] + hr, hc[1] + hr], fill=accent)

    def wave(y, amp, thick, color, phase):
        pts = []
        n = 80
        for i in range(n + 1):
            x = i / n
            pts.append((x * s, (y + amp * math.sin(2 * math.pi * (1.6 * x + phase))) * s))
        poly = pts + [(s, s), (0, s)]
        d.polygon(poly, fill=color)
        if thick:  # a teal gap above the next wave keeps the bands apart
            for p, q in zip(pts, pts[1:]):
                draw_segment(d, p, q, thick * s, BODY + (255,))

    wave(0.64, 0.03, 0.0, accent, 0.0)
    wave(0.72, 0.03, 0.03, BODY + (255,), 0.12)
    wave(0.74, 0.03, 0.0, white, 0.12)
    wave(0.84, 0.025, 0.03, BODY + (255,), 0.3)
    wave(0.86, 0.025, 0.0, accent, 0.3)

    mask = Image.new("L", (s, s), 0)
    r_in = 0.40 * s
    ImageDraw.Draw(mask).ellipse([c - r_in, c - r_in, c + r_in, c + r_in], fill=255)
    img.paste(inner, (0, 0), ImageChops.multiply(inner.getchannel("A"), mask))
    # thin white ring between the disc's rim and the picture
    r_ring = 0.435 * s
    draw.ellipse([c - r_ring, c - r_ring, c + r_ring, c + r_ring],
                 outline=WHITE + (255,), width=int(0.012 * s))
    img = img.resize((size, size), Image.LANCZOS)
    # a small palette (with alpha) keeps the file small; fast-octree is the
    # quantizer that supports transparency
    return img.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def save_png(img: Image.Image, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)


def contact_sheet(paths, out: Path, thumb=(300, 200), cols=4):
    """All images as thumbnails in a grid (start, end, start, end, ...) for review."""
    rows = (len(paths) + cols - 1) // cols
    size = (cols * (thumb[0] + 8) + 8, rows * (thumb[1] + 8) + 8)
    sheet = Image.new("RGB", size, (120, 120, 120))
    for i, p in enumerate(paths):
        im = Image.open(p).convert("RGB").resize(thumb, Image.LANCZOS)
        sheet.paste(im, (8 + (i % cols) * (thumb[0] + 8), 8 + (i // cols) * (thumb[1] + 8)))
    sheet.save(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sheet", type=Path, help="also write a contact sheet of all exercise images")
    ap.add_argument("--only", choices=list(EXERCISES), metavar="ID",
                    help="draw only this exercise (and skip the logo)")
    args = ap.parse_args()

    written = []
    for ex_id in EXERCISES:
        if args.only and ex_id != args.only:
            continue
        start, end = draw_exercise(ex_id)
        for tag, img in (("start", start), ("end", end)):
            path = EXERCISE_DIR / f"{ex_id}-{tag}.png"
            save_png(img, path)
            written.append(path)
    if not args.only:
        save_png(draw_logo(), CLINIC_DIR / "logo.png")
    if args.sheet:
        contact_sheet(written, args.sheet)
    for p in written:
        print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()
