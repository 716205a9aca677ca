"""Draw the schematic teaching images of the bundled quiz content (chest radiograph and ultrasound sketches).

Every picture here is a *schematic*, drawn from numbers with Pillow only; none is a patient image, and
each says so on a caption band. The drawings are deterministic: the same PNG bytes on every run and on
every machine, so the files in ``quizzes/content/images/`` can be regenerated and compared with the code
(``tests/content/test_schematics.py`` does that). To keep them so:

* text uses only Pillow's embedded font (``ImageFont.load_default(size=...)``, basic layout);
* the only randomness is ``random.Random(<fixed seed>)``, and the geometry uses plain arithmetic and
  ``math.sqrt`` (both exactly rounded by IEEE 754) - no ``sin``, ``log`` or ``**``, which call the C
  library and may differ in the last bit between machines;
* the PNG is written by :func:`quizzes.content.png.encode_png`, not by ``Image.save``, whose bytes
  depend on the machine's zlib.

Public interface (no Django import; a management command can call :func:`write_all`):

* ``SCHEMATICS`` - file name -> function returning the ``PIL.Image.Image``;
* ``TARGETS`` - file name -> list of the key regions, each ``{"shape": "ellipse", "cx", "cy",
  "rx", "ry", "label"}`` in fractions of the image width (``cx``, ``rx``) and height (``cy``,
  ``ry``), computed from the same numbers the drawing uses; the pleural rind's are polygons
  (``{"shape": "polygon", "points", "cx", "cy", "label"}``) that follow the drawn band;
* ``draw(name)`` - the PNG bytes of one schematic;
* ``write_all(directory)`` - write every schematic into ``directory`` and return the paths.

Orientation follows the radiographic convention: the patient's right is on the viewer's left. In this
module ``right``/``left`` always mean the *patient's* side unless a comment says "viewer's".
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from quizzes.content.png import encode_png

__all__ = ["SCHEMATICS", "TARGETS", "draw", "write_all"]

Point = tuple[float, float]

CAPTION = "SCHEMATIC - not a patient image"
# The titles name the examination, never the finding: the images illustrate quiz questions, and a title
# such as "Miliary nodules" would give the answer away.
CHEST_TITLE = "Chest radiograph, frontal (PA) view"
CT_TITLE = "CT chest, axial slice, lung window"
US_TITLE = "Ultrasound, subcutaneous tissues (linear probe, colour Doppler)"

# --------------------------------------------------------------------------------------------------
# Small drawing helpers
# --------------------------------------------------------------------------------------------------

SS = 4  # anatomy and lesions are drawn at SS x the final size, then box-averaged down (anti-aliasing)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _spline(points: Sequence[Point], closed: bool = True, steps: int = 12) -> list[Point]:
    """Points along a uniform Catmull-Rom spline through ``points`` (plain arithmetic only)."""
    pts = list(points)
    n = len(pts)
    out: list[Point] = []
    segments = n if closed else n - 1
    for i in range(segments):
        if closed:
            p0, p1, p2, p3 = pts[(i - 1) % n], pts[i], pts[(i + 1) % n], pts[(i + 2) % n]
        else:
            p0, p1, p2, p3 = pts[max(i - 1, 0)], pts[i], pts[i + 1], pts[min(i + 2, n - 1)]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (3 * b - a - 3 * c + d) * t3)
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=False)
                )
            )
    if not closed:
        out.append(pts[-1])
    return out


def _bezier(p0: Point, p1: Point, p2: Point, steps: int = 24) -> list[Point]:
    """Points along a quadratic Bezier curve."""
    out = []
    for s in range(steps + 1):
        t = s / steps
        u = 1 - t
        a, b, c = u * u, 2 * u * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


def _scaled(points: Sequence[Point], scale: int) -> list[tuple[int, int]]:
    return [(round(x * scale), round(y * scale)) for x, y in points]


def _mirror(points: Sequence[Point], width: float) -> list[Point]:
    return [(width - x, y) for x, y in points]


def _x_extent(polygon: Sequence[Point], y: float) -> tuple[float, float]:
    """Leftmost and rightmost x where the closed ``polygon`` crosses the horizontal line at ``y``."""
    xs = []
    for (x1, y1), (x2, y2) in zip(polygon, list(polygon[1:]) + [polygon[0]], strict=False):
        if (y1 <= y < y2) or (y2 <= y < y1):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return min(xs), max(xs)


def _mask(size: tuple[int, int], polygons: Sequence[Sequence[Point]], scale: int = 1) -> Image.Image:
    mask = Image.new("L", (size[0] * scale, size[1] * scale), 0)
    d = ImageDraw.Draw(mask)
    for polygon in polygons:
        d.polygon(_scaled(polygon, scale), fill=255)
    return mask


def _threshold(image: Image.Image, level: int) -> Image.Image:
    return image.point([255 if v >= level else 0 for v in range(256)])


def _erode(mask: Image.Image, distance: float) -> Image.Image:
    """Shrink a 0/255 mask by about ``distance`` pixels (Gaussian blur, then a high threshold)."""
    return _threshold(mask.filter(ImageFilter.GaussianBlur(distance / 2.05)), 250)


def _ellipse_target(cx: float, cy: float, rx: float, ry: float, size: tuple[int, int], label: str) -> dict:
    width, height = size
    return {
        "shape": "ellipse",
        "cx": round(cx / width, 4),
        "cy": round(cy / height, 4),
        "rx": round(rx / width, 4),
        "ry": round(ry / height, 4),
        "label": label,
    }


def _bbox_target(mask: Image.Image, label: str) -> dict:
    """The ellipse inscribed in the bounding box of a (final-size) mask."""
    x0, y0, x1, y1 = mask.getbbox()
    return _ellipse_target((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, mask.size, label)


def _moment_target(mask: Image.Image, label: str) -> dict:
    """The axis-aligned ellipse with the same centroid and second moments as a (final-size, 0/255) mask."""
    width, height = mask.size

    def moments(image: Image.Image) -> tuple[float, float]:
        data = image.tobytes()
        counts = [data.count(255, i * image.size[0], (i + 1) * image.size[0]) for i in range(image.size[1])]
        n = sum(counts)
        mean = sum(i * c for i, c in enumerate(counts)) / n
        var = sum(c * (i - mean) * (i - mean) for i, c in enumerate(counts)) / n
        return mean + 0.5, var  # + 0.5: the centre of pixel i is at i + 0.5

    cy, var_y = moments(mask)
    cx, var_x = moments(mask.transpose(Image.Transpose.TRANSPOSE))
    # A uniform ellipse of semi-axis a has variance a**2 / 4 along that axis.
    return _ellipse_target(cx, cy, 2 * math.sqrt(var_x), 2 * math.sqrt(var_y), (width, height), label)


def _text_centered(d: ImageDraw.ImageDraw, xy: Point, text: str, size: int, fill: int) -> None:
    d.text(xy, text, font=_font(size), fill=fill, anchor="mm")


def _bands(image: Image.Image, title: str, band: int) -> None:
    """The title band (white on black) at the top and the caption band (black on white) at the bottom."""
    width, height = image.size
    d = ImageDraw.Draw(image)
    d.rectangle((0, 0, width - 1, band - 1), fill=0)
    d.line((0, band - 1, width - 1, band - 1), fill=110, width=1)
    _text_centered(d, (width / 2, band / 2), title, 26, 255)
    d.rectangle((0, height - band, width - 1, height - 1), fill=242)
    _text_centered(d, (width / 2, height - band / 2), CAPTION, 24, 0)


def _scale_bar(d: ImageDraw.ImageDraw, x: float, y: float, length: float, label: str) -> None:
    """A white bar ``length`` px long from (x, y), with end ticks and its length written to its right."""
    d.line((x, y, x + length, y), fill=255, width=3)
    for tick in (x, x + length):
        d.line((tick, y - 7, tick, y + 7), fill=255, width=2)
    d.text((x + length + 12, y), label, font=_font(18), fill=255, anchor="lm")


# --------------------------------------------------------------------------------------------------
# Chest radiograph (frontal, PA)
# --------------------------------------------------------------------------------------------------

CHEST_SIZE = (800, 800)
BAND = 46  # height of the title and caption bands
# Both chest views (radiograph and CT) are drawn at 2 px per mm: the 800 px frame is 40 cm across, so an
# adult thorax of about 35 cm fills it. Each carries a 5 cm scale bar in a black box at the bottom right,
# and every lesion is drawn to the size STATED_SIZES_MM gives it (the tests measure them on the images).
CHEST_PX_PER_MM = 2.0
CHEST_SCALE_MM = 50
CHEST_SCALE_BAR = (628, 728)  # left end of the bar (px); its box spans 612..788 x 706..750

# Grey levels (0 black .. 255 white), chosen to look like a radiograph.
AIR = 6  # outside the patient
SOFT = 112  # chest wall, neck, shoulders
LUNG = 44  # aerated lung
MEDIASTINUM = 172  # heart and great vessels
ABDOMEN = 160  # below the diaphragm
TRACHEA = 98  # air column over the mediastinum
RIND = 138  # thickened pleura
BONE_ADD = 34  # ribs add this much density
CLAVICLE_ADD = 90
SPINE_ADD = 24
NODULE_ADD = 92  # a soft-tissue nodule adds this much over lung
CALCIFIED_ADD = 210
GROUND_GLASS_ADD = 40
CAVITY_SUB = 16  # a cavity is a little darker (more lucent) than the lung around it

# Right lung (viewer's left) outline: apex, lateral border, then medial points hidden by the
# mediastinum, and bottom points hidden below the diaphragm (the dome cuts the base).
_RIGHT_LUNG = [
    (262, 124),
    (214, 136),
    (168, 170),
    (134, 232),
    (114, 320),
    (103, 420),
    (97, 520),
    (95, 610),
    (100, 690),
    (220, 700),
    (372, 690),
    (374, 420),
    (366, 230),
    (330, 146),
]
# Right (viewer's left) hemidiaphragm dome, lateral to medial; the left one is its mirror image, lower.
_RIGHT_DOME = [(20, 680), (70, 640), (120, 590), (180, 556), (240, 540), (300, 548), (360, 578), (400, 598)]
_LEFT_DOME_DROP = 22  # the left dome normally sits a little lower than the right
# Mediastinum and heart, clockwise from the neck: right border (SVC, right atrium), heart base,
# left border (apex, left ventricle, left atrial appendage, pulmonary trunk, aortic knob).
_MEDIASTINUM = [
    (372, 112),
    (362, 150),
    (354, 250),
    (352, 330),
    (340, 390),
    (328, 460),
    (330, 530),
    (348, 600),
    (420, 650),
    (560, 640),
    (596, 590),
    (598, 530),
    (580, 470),
    (546, 420),
    (520, 385),
    (500, 340),
    (492, 300),
    (484, 262),
    (470, 228),
    (446, 205),
    (438, 150),
    (428, 112),
    (400, 104),
]
_BODY_RIGHT_HALF = [  # viewer's left half of the body silhouette, from the neck down
    (346, 30),
    (340, 96),
    (300, 118),
    (220, 132),
    (140, 150),
    (76, 178),
    (44, 230),
    (32, 320),
    (28, 440),
    (28, 560),
    (32, 680),
    (38, 800),
]


def _chest_geometry(volume_loss: bool = False) -> dict:
    """Outlines (final pixel coordinates) of a frontal chest; ``volume_loss`` shrinks the left hemithorax."""
    w = CHEST_SIZE[0]
    shift = 16 if volume_loss else 0  # mediastinal shift towards the smaller (left) side
    right_lung = _spline(_RIGHT_LUNG)
    left_pts = _mirror(_RIGHT_LUNG, w)
    body_left_half = _mirror(_BODY_RIGHT_HALF, w)
    left_dome = [(x, y + _LEFT_DOME_DROP * min(1.0, (x - w / 2) / 150)) for x, y in _mirror(_RIGHT_DOME, w)]
    if volume_loss:
        cx = w / 2
        left_pts = [(cx + (x - cx) * 0.9, y + 24 * (700 - y) / 580) for x, y in left_pts]
        body_left_half = [(x - 22 * min(1.0, (y - 150) / 200) if y > 150 else x, y) for x, y in body_left_half]
        left_dome = [(x, y - 84 * min(1.0, (x - cx) / 130)) for x, y in left_dome]
    left_lung = _spline(left_pts)
    body = _spline(_BODY_RIGHT_HALF, closed=False) + list(reversed(_spline(body_left_half, closed=False)))
    domes = _spline(_RIGHT_DOME, closed=False) + _spline(list(reversed(left_dome)), closed=False)
    abdomen = domes + [(w + 20, 820), (-20, 820)]
    mediastinum = _spline([(x + (shift if y > 200 else shift * (y - 100) / 100), y) for x, y in _MEDIASTINUM])
    t = shift * 0.8  # the trachea follows the shift
    trachea = (
        [(388 + t * y / 270, y) for y in range(30, 251, 20)]
        + _bezier((388 + t, 252), (378 + t, 268), (342 + t, 306))  # right main bronchus
        + [(352 + t, 316)]
        + _bezier((394 + t, 282), (404 + t, 272), (414 + t, 282))  # carina
        + [(452 + t, 324)]
        + _bezier((460 + t, 314), (424 + t, 276), (412 + t, 252))  # left main bronchus
        + [(412 + t * y / 270, y) for y in range(250, 29, -20)]
    )
    # Posterior ribs: from the spine, rising a little, then arching down to the lateral chest wall.
    ribs = []
    for side, lung in (("right", right_lung), ("left", left_lung)):
        crowded = side == "left" and volume_loss
        spacing, top = (40, 128) if crowded else (46, 112)
        sign = -1 if side == "right" else 1
        for k in range(10):
            y_medial = top + spacing * k
            y_lateral = min(y_medial + 64 + 3 * k, 660)
            lo, hi = _x_extent(lung, y_lateral)
            x_lateral = lo - 24 if side == "right" else hi + 24  # clipped to the rib cage later
            x_medial = w / 2 + sign * 22
            span = x_lateral - x_medial
            ribs.append(
                _spline(
                    [
                        (x_medial, y_medial),
                        (x_medial + 0.3 * span, y_medial - 12),
                        (x_medial + 0.72 * span, y_medial + 8 + k),
                        (x_lateral, y_lateral),
                    ],
                    closed=False,
                    steps=10,
                )
            )
    right_clavicle = _spline([(376, 150), (340, 152), (290, 146), (230, 134), (170, 120), (118, 112)], closed=False)
    clavicles = [right_clavicle, _mirror(right_clavicle, w)]
    return {
        "body": body,
        "right_lung": right_lung,
        "left_lung": left_lung,
        "mediastinum": mediastinum,
        "abdomen": abdomen,
        "trachea": trachea,
        "ribs": ribs,
        "clavicles": clavicles,
        "shift": shift,
    }


def _visible_lungs(geometry: dict, scale: int = 1) -> tuple[Image.Image, Image.Image]:
    """Masks of the parts of each lung that show on the film (not behind mediastinum or diaphragm)."""
    size = CHEST_SIZE
    cover = ImageChops.lighter(_mask(size, [geometry["mediastinum"]], scale), _mask(size, [geometry["abdomen"]], scale))
    right = ImageChops.subtract(_mask(size, [geometry["right_lung"]], scale), cover)
    left = ImageChops.subtract(_mask(size, [geometry["left_lung"]], scale), cover)
    return right, left


def _chest_base(geometry: dict, pleural_rind: float = 0) -> Image.Image:
    """The normal anatomy at SS x size (before lesions); ``pleural_rind`` thickens the left pleura."""
    w = CHEST_SIZE[0]
    body = _mask(CHEST_SIZE, [geometry["body"]], SS)
    img = Image.new("L", body.size, AIR)
    img.paste(SOFT, mask=body)
    d = ImageDraw.Draw(img)
    d.polygon(_scaled(geometry["right_lung"], SS), fill=LUNG)
    d.polygon(_scaled(geometry["left_lung"], SS), fill=LUNG)
    if pleural_rind:
        _, left = _visible_lungs(geometry, SS)
        rind = ImageChops.subtract(left, _erode(left, pleural_rind * SS))
        img.paste(RIND, mask=rind)
        d = ImageDraw.Draw(img)
    d.polygon(_scaled(geometry["mediastinum"], SS), fill=MEDIASTINUM)
    d.polygon(_scaled(geometry["trachea"], SS), fill=TRACHEA)
    img.paste(ABDOMEN, mask=ImageChops.multiply(_mask(CHEST_SIZE, [geometry["abdomen"]], SS), body))

    # Bones add density; they show less through the mediastinum and the upper abdomen.
    bones = Image.new("L", img.size, 0)
    b = ImageDraw.Draw(bones)
    spine_x = w / 2 + geometry["shift"] * 0.5
    for k in range(20):  # vertebral bodies with disc spaces
        top = 24 + 38 * k
        b.rounded_rectangle(_scaled([(spine_x - 23, top), (spine_x + 23, top + 31)], SS), radius=5 * SS, fill=SPINE_ADD)
    spine = bones.copy()
    bones = Image.new("L", img.size, 0)
    b = ImageDraw.Draw(bones)
    for rib in geometry["ribs"]:
        b.line(_scaled(rib, SS), fill=BONE_ADD, width=13 * SS, joint="curve")
    cage = Image.new("L", img.size, 0)  # the ribs end at the outline of the thoracic cage
    c = ImageDraw.Draw(cage)
    for outline in (geometry["right_lung"], geometry["left_lung"], geometry["mediastinum"]):
        c.polygon(_scaled(outline, SS), fill=255, outline=255, width=14 * SS)
    bones = ImageChops.multiply(bones, cage)
    b = ImageDraw.Draw(bones)
    for clavicle in geometry["clavicles"]:
        b.line(_scaled(clavicle, SS), fill=CLAVICLE_ADD, width=18 * SS, joint="curve")
        for x, y in (clavicle[0], clavicle[-1]):
            b.ellipse(_scaled([(x - 9, y - 9), (x + 9, y + 9)], SS), fill=CLAVICLE_ADD)
    bones = ImageChops.lighter(bones, spine)
    see_through = Image.new("L", img.size, 0)
    see_through.paste(255, mask=body)
    s = ImageDraw.Draw(see_through)
    s.polygon(_scaled(geometry["mediastinum"], SS), fill=110)
    see_through.paste(140, mask=ImageChops.multiply(_mask(CHEST_SIZE, [geometry["abdomen"]], SS), body))
    img = ImageChops.add(img, ImageChops.multiply(bones, see_through))
    return img.filter(ImageFilter.GaussianBlur(1.6 * SS))


class _Lesions:
    """Lesion layers at SS x size: density added (nodules) and density removed (cavities)."""

    def __init__(self, size: tuple[int, int]):
        self.add = Image.new("L", (size[0] * SS, size[1] * SS), 0)
        self.sub = Image.new("L", self.add.size, 0)
        self.soft_add = Image.new("L", self.add.size, 0)  # blurred before use (ground glass)

    @staticmethod
    def _disc(layer: Image.Image, cx: float, cy: float, r: float, value: int) -> None:
        ImageDraw.Draw(layer).ellipse(_scaled([(cx - r, cy - r), (cx + r, cy + r)], SS), fill=value)

    def nodule(self, cx: float, cy: float, r: float, value: int = NODULE_ADD, shaded: bool = True) -> None:
        """A round, well-defined nodule; ``shaded`` makes it a little denser in the middle, like a sphere."""
        if not shaded or r < 6:
            self._disc(self.add, cx, cy, r, value)
            return
        steps = 8
        for i in range(steps):
            f = 1 - i / steps  # radius fraction, outside in
            g = f - 1 / steps
            thickness = math.sqrt(1 - g * g)  # chord length through a sphere
            self._disc(self.add, cx, cy, r * f, round(value * (0.78 + 0.22 * thickness)))

    def cavity(self, outline: Sequence[Point]) -> None:
        """An air-filled cavity: no added density inside, and a little less than the lung around."""
        ImageDraw.Draw(self.add).polygon(_scaled(outline, SS), fill=0)
        ImageDraw.Draw(self.sub).polygon(_scaled(outline, SS), fill=CAVITY_SUB)

    def ground_glass(self, cx: float, cy: float, r: float, value: int = GROUND_GLASS_ADD) -> None:
        self._disc(self.soft_add, cx, cy, r, value)

    def apply(self, base: Image.Image) -> Image.Image:
        """``base`` (SS x size) with the lesions added, reduced to the final size."""
        sharp = self.add.filter(ImageFilter.GaussianBlur(0.5 * SS))
        soft = self.soft_add.filter(ImageFilter.GaussianBlur(4 * SS))
        out = ImageChops.add(base, ImageChops.lighter(sharp, soft))
        out = ImageChops.subtract(out, self.sub.filter(ImageFilter.GaussianBlur(0.5 * SS)))
        return out.reduce(SS)


# Side markers, centre of each box (px): patient's right on the viewer's left, as on a film.
SIDE_MARKERS = {"R": (40, BAND + 34), "L": (CHEST_SIZE[0] - 40, BAND + 34)}


def _side_markers(image: Image.Image) -> None:
    """'R' on the viewer's left and 'L' on the viewer's right, white on a black box."""
    d = ImageDraw.Draw(image)
    for letter, (x, y) in SIDE_MARKERS.items():
        d.rectangle((x - 22, y - 24, x + 22, y + 24), fill=0, outline=255, width=2)
        _text_centered(d, (x, y + 1), letter, 36, 255)


def _chest_labels(image: Image.Image, title: str) -> None:
    """Side markers, the 5 cm scale bar in its box, and the title and caption bands."""
    _side_markers(image)
    d = ImageDraw.Draw(image)
    x, y = CHEST_SCALE_BAR
    d.rectangle((x - 16, y - 22, x + 160, y + 22), fill=0, outline=255, width=2)
    _scale_bar(d, x, y, CHEST_SCALE_MM * CHEST_PX_PER_MM, f"{CHEST_SCALE_MM // 10} cm")
    _bands(image, title, BAND)


def _chest(
    lesions: Callable[[_Lesions, dict], object], *, volume_loss: bool = False, pleural_rind: float = 0
) -> Image.Image:
    """A finished chest schematic: anatomy, the lesions ``lesions(layers, geometry)`` draws, labels."""
    geometry = _chest_geometry(volume_loss)
    layers = _Lesions(CHEST_SIZE)
    lesions(layers, geometry)
    image = layers.apply(_chest_base(geometry, pleural_rind))
    _chest_labels(image, CHEST_TITLE)
    return image


# --------------------------------------------------------------------------------------------------
# CT chest (axial slice at the level of the heart, lung window)
# --------------------------------------------------------------------------------------------------

# Grey levels of a lung window (about W 1500, L -600): soft tissue and fat near white, lung dark grey.
CT_SOFT = 222
CT_FAT = 200
CT_LUNG = 36
CT_BONE = 255
CT_NODULE_ADD = 180
CT_GROUND_GLASS_ADD = 62
# Anterior at the top, the patient's right on the viewer's left, as CT is displayed.
_CT_BODY = (400, 440, 330, 222)  # centre x, y and semi-axes of the body outline (px)
_CT_RIGHT_LUNG = [
    (318, 296),
    (250, 280),
    (178, 306),
    (128, 372),
    (112, 456),
    (130, 540),
    (186, 600),
    (268, 616),
    (342, 590),
    (362, 520),
    (352, 440),
    (338, 360),
]


def _ct(lesions: Callable[[_Lesions], object]) -> Image.Image:
    """A finished axial CT schematic: body, lungs, heart, aorta, spine, ribs, the lesions, labels."""
    w = CHEST_SIZE[0]
    cx, cy, rx, ry = _CT_BODY
    img = Image.new("L", (CHEST_SIZE[0] * SS, CHEST_SIZE[1] * SS), 0)
    d = ImageDraw.Draw(img)
    d.ellipse(_scaled([(cx - rx, cy - ry), (cx + rx, cy + ry)], SS), fill=CT_FAT)
    d.ellipse(_scaled([(cx - rx + 22, cy - ry + 18), (cx + rx - 22, cy + ry - 16)], SS), fill=CT_SOFT)
    right = _spline(_CT_RIGHT_LUNG)
    left = _spline(_mirror(_CT_RIGHT_LUNG, w))
    for lung in (right, left):
        d.polygon(_scaled(lung, SS), fill=CT_LUNG)
    d.ellipse(_scaled([(338, 318), (560, 500)], SS), fill=CT_SOFT)  # the heart, its apex to the left
    for x, y, r in ((432, 560, 26), (400, 606, 32)):  # descending aorta, vertebral body
        d.ellipse(_scaled([(x - r, y - r), (x + r, y + r)], SS), fill=CT_SOFT if r < 30 else CT_BONE)
    d.polygon(_scaled([(384, 636), (416, 636), (424, 664), (376, 664)], SS), fill=CT_BONE)  # neural arch
    for x, y in ((112, 430), (126, 540), (190, 598), (140, 330), (210, 270)):  # rib sections, both sides
        for px in (x, w - x):
            d.ellipse(_scaled([(px - 9, y - 7), (px + 9, y + 7)], SS), fill=CT_BONE)
    layers = _Lesions(CHEST_SIZE)
    lesions(layers)
    image = layers.apply(img.filter(ImageFilter.GaussianBlur(0.8 * SS)))
    _chest_labels(image, CT_TITLE)
    return image


# --------------------------------------------------------------------------------------------------
# The chest schematics
# --------------------------------------------------------------------------------------------------

# Lesions, in final pixel coordinates: (cx, cy, radius). Viewer's left = patient's right.
CANNONBALLS = [
    (175, 468, 52),
    (284, 492, 31),
    (138, 546, 25),
    (252, 348, 38),
    (204, 222, 28),  # right lung
    (645, 498, 44),
    (590, 360, 55),
    (572, 212, 30),
    (668, 572, 25),  # left lung
]
SOLITARY_NODULE = (140, 476, 18)  # right lower zone, periphery: 18 mm
CAVITATING_NODULE = (214, 214, 35)  # right upper zone: 35 mm
CAVITY = (218, 210, 16, 2.5)  # its air-filled centre: radius 16 +- 2.5 px (wall 11-20 px thick)
CAVITATING_SOLID_NODULES = [(292, 402, 18), (166, 502, 15), (600, 252, 16), (642, 430, 20), (552, 336, 13)]
CALCIFIED_NODULE = (612, 346, 12)  # left mid zone: 12 mm
CALCIFIED_SOFT_NODULES = [(238, 300, 15), (196, 488, 15)]
# The halo is a CT sign: it is drawn on an axial CT slice (lung window), not on the radiograph. Left lower
# lobe, posterior; two solid nodules without a halo in the right lung.
HALO_NODULE = (586, 512, 16)  # a 16 mm nodule
HALO_RADIUS = 34  # outer radius of its ground-glass halo: 34 mm across
HALO_SOLID_NODULES = [(214, 398, 12), (272, 540, 10)]  # 12 and 10 mm
PLEURAL_RIND = 20  # px thickness of the left pleural rind
MILIARY_ADD = 74  # density of a miliary nodule (smaller than NODULE_ADD)
MILIARY_RADII = (2.0, 3.0)  # px: nodules 2-3 mm across
CANNONBALL_ADD = 86


def _miliary(layers: _Lesions, lung: Image.Image, seed: int, spacing: float = 15.5) -> int:
    """Innumerable tiny (radius 2.5-3.5 px), evenly spread nodules over a final-size lung mask."""
    rng = random.Random(seed)
    w, h = lung.size
    x0, y0, x1, y1 = lung.getbbox()
    count = 0
    row = 0
    y = y0 + 4.0
    while y < y1:
        x = x0 + 4.0 + (spacing / 2 if row % 2 else 0)
        while x < x1:
            px = x + rng.uniform(-4.5, 4.5)
            py = y + rng.uniform(-4.5, 4.5)
            r = rng.uniform(MILIARY_RADII[0], MILIARY_RADII[1])
            m = r + 3
            probes = [(px, py), (px - m, py), (px + m, py), (px, py - m), (px, py + m)]
            if all(0 <= qx < w and 0 <= qy < h and lung.getpixel((int(qx), int(qy))) == 255 for qx, qy in probes):
                layers.nodule(px, py, r, MILIARY_ADD)
                count += 1
            x += spacing
        y += spacing * 0.866
        row += 1
    return count


def _irregular_outline(cx: float, cy: float, r: float, wobble: float, seed: int) -> list[Point]:
    """A smooth closed outline whose radius wanders by up to ``wobble`` around ``r`` (no trigonometry)."""
    rng = random.Random(seed)
    h = math.sqrt(3) / 2  # the twelve directions of a regular 12-gon
    directions = [
        (1, 0),
        (h, 0.5),
        (0.5, h),
        (0, 1),
        (-0.5, h),
        (-h, 0.5),
        (-1, 0),
        (-h, -0.5),
        (-0.5, -h),
        (0, -1),
        (0.5, -h),
        (h, -0.5),
    ]
    points = []
    for dx, dy in directions:
        radius = r + rng.uniform(-wobble, wobble)
        points.append((cx + radius * dx, cy + radius * dy))
    return _spline(points, closed=True, steps=8)


def draw_miliary() -> Image.Image:
    """Innumerable tiny uniform nodules spread evenly through both lungs, all zones."""

    def lesions(layers: _Lesions, geometry: dict) -> None:
        right, left = _visible_lungs(geometry)
        _miliary(layers, right, seed=11)
        _miliary(layers, left, seed=12)

    return _chest(lesions)


def draw_cannonball() -> Image.Image:
    """Multiple large, round, well-defined masses of varying size in both lungs, more in the lower zones."""

    def lesions(layers: _Lesions, geometry: dict) -> None:
        for cx, cy, r in CANNONBALLS:
            layers.nodule(cx, cy, r, CANNONBALL_ADD)

    return _chest(lesions)


def draw_solitary_nodule() -> Image.Image:
    """One well-defined round nodule in the periphery of the right lower zone."""
    return _chest(lambda layers, geometry: layers.nodule(*SOLITARY_NODULE))


def draw_cavitating_nodule() -> Image.Image:
    """Solid nodules in both lungs and, in the right upper zone, one with a thick wall and a central cavity."""

    def lesions(layers: _Lesions, geometry: dict) -> None:
        for nodule in CAVITATING_SOLID_NODULES:
            layers.nodule(*nodule)
        layers.nodule(*CAVITATING_NODULE, shaded=False)
        layers.cavity(_irregular_outline(*CAVITY, seed=4))

    return _chest(lesions)


def draw_calcified_nodule() -> Image.Image:
    """A densely calcified nodule in the left mid zone and two soft-tissue nodules in the right lung."""

    def lesions(layers: _Lesions, geometry: dict) -> None:
        for nodule in CALCIFIED_SOFT_NODULES:
            layers.nodule(*nodule)
        layers.nodule(*CALCIFIED_NODULE, CALCIFIED_ADD)

    return _chest(lesions)


def draw_halo_nodule() -> Image.Image:
    """Axial CT (lung window): a left lower lobe nodule with a ground-glass halo, two solid ones on the right."""

    def lesions(layers: _Lesions) -> None:
        for nodule in HALO_SOLID_NODULES:
            layers.nodule(*nodule, CT_NODULE_ADD)
        cx, cy, r = HALO_NODULE
        layers.ground_glass(cx, cy, HALO_RADIUS * 1.05, CT_GROUND_GLASS_ADD)
        layers.nodule(cx, cy, r, CT_NODULE_ADD)

    return _ct(lesions)


def draw_pleural_thickening_miliary() -> Image.Image:
    """Smaller left hemithorax with a thick circumferential pleural rind; miliary nodules in the right lung."""

    def lesions(layers: _Lesions, geometry: dict) -> None:
        right, _ = _visible_lungs(geometry)
        _miliary(layers, right, seed=13)

    return _chest(lesions, volume_loss=True, pleural_rind=PLEURAL_RIND)


# --------------------------------------------------------------------------------------------------
# Ultrasound (linear probe, soft tissue)
# --------------------------------------------------------------------------------------------------

US_SIZE = (800, 600)
US_BAND = 44
US_FIELD = (134, 64, 594, 504)  # the image field: left, top, right, bottom (px); skin at the top edge
PX_PER_MM = 11
US_SKIN_MM = (0.0, 1.8)  # echogenic skin (epidermis and dermis)
US_FASCIA_MM = 15.0  # superficial fascia: fat above, muscle below
# The case's nodule measures 1.0 x 0.6 cm: semi-axes 5.0 and 3.0 mm, centre x in px from the field's left
# edge and depth in mm.
US_NODULE = (232.0, 8.6, 5.0, 3.0)
US_SCALE_MM = 10
US_SCALE_BAR_Y = US_FIELD[3] + 22
# Colour Doppler: the sampling box (left, top, right, bottom in px) over the nodule and the tissue around
# it. A small artery and vein in the muscle fill with colour, so the box is shown to be working, and the
# nodule has no colour inside: no internal flow, the finding the case turns on. The box is not steered,
# so its beams run straight down: the vessels dive through the muscle at about 30 degrees to the skin
# (about 60 degrees to the beam), where an unsteered box still picks up flow; a vessel parallel to the
# skin would meet the beam at 90 degrees and show little or no colour.
DOPPLER_BOX = (214, 80, 520, 330)
US_VESSELS = (  # (start depth mm, end depth mm, start x px, end x px, radius mm, colour): red towards the probe
    (16.6, 22.6, 292.0, 406.0, 0.9, (220, 40, 30)),
    (16.6, 22.6, 344.0, 458.0, 0.8, (40, 90, 230)),
)
DOPPLER_OUTLINE = (230, 230, 90)
ECHO_VESSEL = 12

# Echo levels before speckle (0 black .. 255 white).
ECHO_SKIN = 235
ECHO_FAT = 70
ECHO_SEPTUM = 150
ECHO_FASCIA = 225
ECHO_MUSCLE = 92
ECHO_FIBRE = 150
ECHO_NODULE = 178
ECHO_CAPSULE = 235


def _us_depth_y(mm: float) -> float:
    return US_FIELD[1] + mm * PX_PER_MM


def _us_nodule_px() -> tuple[float, float, float, float]:
    """The nodule ellipse (cx, cy, rx, ry) in image pixels."""
    x, depth, ax, ay = US_NODULE
    return US_FIELD[0] + x, _us_depth_y(depth), ax * PX_PER_MM, ay * PX_PER_MM


def _wavy(rng: random.Random, y: float, amplitude: float, x0: float, x1: float, knots: int = 7) -> list[Point]:
    """A gently undulating, roughly horizontal line across the field."""
    pts = [(x0 + (x1 - x0) * i / (knots - 1), y + rng.uniform(-amplitude, amplitude)) for i in range(knots)]
    return _spline(pts, closed=False, steps=16)


def draw_subcutaneous_nodule_ultrasound() -> Image.Image:
    """Linear-probe ultrasound: skin, subcutaneous fat with an ovoid hyperechoic nodule, muscle; depth scale."""
    rng = random.Random(8)
    _width, _height = US_SIZE
    left, top, right, bottom = US_FIELD
    fw, fh = right - left, bottom - top

    # Echo map of the field (field coordinates, SS x size for smooth edges).
    echo = Image.new("L", (fw * SS, fh * SS), ECHO_MUSCLE)
    d = ImageDraw.Draw(echo)

    def field(points: Sequence[Point]) -> list[tuple[int, int]]:
        return _scaled([(x - left, y - top) for x, y in points], SS)

    fascia = _wavy(rng, _us_depth_y(US_FASCIA_MM), 3, left - 10, right + 10)
    d.polygon(field([(left - 10, top - 10)] + fascia + [(right + 10, top - 10)]), fill=ECHO_FAT)
    for k in range(9):  # fibrofatty septa: thin, bright, roughly parallel to the skin
        y = _us_depth_y(3.0 + 1.35 * k + rng.uniform(-0.4, 0.4))
        x0 = left + rng.uniform(-40, fw * 0.55)
        line = _wavy(rng, y, 4, x0, x0 + rng.uniform(110, 260), knots=4)
        d.line(field(line), fill=ECHO_SEPTUM, width=max(1, round(1.4 * SS)), joint="curve")
    for _ in range(60):  # muscle: short, bright, slightly oblique fibre echoes (a "feathery" pattern)
        y = _us_depth_y(US_FASCIA_MM + 1.5 + 23.5 * rng.random())
        x = left - 60 + (fw + 60) * rng.random()
        length = rng.uniform(90, 220)
        slope = rng.uniform(0.10, 0.22)
        bend = rng.uniform(-3, 3)
        line = [(x, y), (x + length * 0.5, y + length * slope * 0.5 + bend), (x + length, y + length * slope)]
        d.line(field(_spline(line, closed=False, steps=8)), fill=ECHO_FIBRE, width=round(1.5 * SS), joint="curve")
    d.line(field(fascia), fill=ECHO_FASCIA, width=round(4 * SS), joint="curve")
    for depth0, depth1, x0, x1, radius, _colour in US_VESSELS:
        d.line(
            field([(x0, _us_depth_y(depth0)), (x1, _us_depth_y(depth1))]),
            fill=ECHO_VESSEL,
            width=round(2 * radius * PX_PER_MM * SS),
        )
    skin = _wavy(rng, _us_depth_y(US_SKIN_MM[1]), 0.8, left - 10, right + 10)
    d.polygon(field([(left - 10, top - 10)] + skin + [(right + 10, top - 10)]), fill=ECHO_SKIN)
    cx, cy, rx, ry = _us_nodule_px()
    d.ellipse(field([(cx - rx, cy - ry), (cx + rx, cy + ry)]), fill=ECHO_CAPSULE)
    inner = 2.2  # a thin echogenic capsule: a clear boundary
    d.ellipse(field([(cx - rx + inner, cy - ry + inner), (cx + rx - inner, cy + ry - inner)]), fill=ECHO_NODULE)
    echo = echo.filter(ImageFilter.GaussianBlur(0.6 * SS)).reduce(SS)

    # Speckle: seeded random grains, elongated laterally as on a real scan.
    gx, gy = 6, 3  # grain size (px)
    gw, gh = fw // gx + 2, fh // gy + 2
    grains = bytes(int(255 * (0.42 + 0.58 * math.sqrt(rng.random() * rng.random()))) for _ in range(gw * gh))
    speckle = Image.frombytes("L", (gw, gh), grains).resize((gw * gx, gh * gy), Image.Resampling.BICUBIC)
    speckle = speckle.crop((gx, gy, gx + fw, gy + fh))
    tissue = ImageChops.multiply(echo, speckle).point([min(255, round(v * 1.45)) for v in range(256)])

    image = Image.new("L", US_SIZE, 0)
    image.paste(tissue, (left, top))
    dd = ImageDraw.Draw(image)

    # Depth scale (left of the field): a tick every 5 mm, labelled every centimetre.
    ruler_x = left - 10
    dd.line((ruler_x, top, ruler_x, bottom), fill=255, width=2)
    for mm in range(0, (bottom - top) // PX_PER_MM + 1, 5):
        y = round(_us_depth_y(mm))
        major = mm % 10 == 0
        dd.line((ruler_x - (12 if major else 6), y, ruler_x, y), fill=255, width=2)
        if major:
            dd.text((ruler_x - 18, y), "0" if mm == 0 else f"{mm // 10} cm", font=_font(18), fill=255, anchor="rm")
    # Size bar under the field.
    _scale_bar(dd, left, US_SCALE_BAR_Y, US_SCALE_MM * PX_PER_MM, f"{US_SCALE_MM} mm")

    # Layer labels (right of the field), each with a short leader line.
    for text, mm in (("skin", 0.9), ("subcutaneous fat", 4.0), ("muscle", 26.0)):
        y = round(_us_depth_y(mm))
        dd.line((right + 4, y, right + 20, y), fill=255, width=2)
        dd.text((right + 26, y), text, font=_font(20), fill=255, anchor="lm")

    _bands(image, US_TITLE, US_BAND)
    return _colour_doppler(image)


# The colour image is a palette image: GREYS grey levels (speckle cannot tell 232 from 256) and then the
# Doppler colours, so it stays as small as the greyscale drawings (see quizzes/content/png.py).
GREYS = 232


def _colour_doppler(image: Image.Image) -> Image.Image:
    """The B-mode ``image`` as a palette image with the Doppler box, colour in the vessels and a colour scale."""
    out = image.point([v * (GREYS - 1) // 255 for v in range(256)]).convert("P")  # indices 0..GREYS-1
    colours = [vessel[-1] for vessel in US_VESSELS] + [DOPPLER_OUTLINE, (255, 255, 255)]
    palette = [round(i * 255 / (GREYS - 1)) for i in range(GREYS) for _ in range(3)]
    out.putpalette(palette + [c for colour in colours for c in colour])
    index = {colour: GREYS + i for i, colour in enumerate(colours)}
    d = ImageDraw.Draw(out)
    for depth0, depth1, x0, x1, radius, colour in US_VESSELS:
        y0, y1 = _us_depth_y(depth0), _us_depth_y(depth1)
        length = math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0))
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        # Colour fills the lumen, short of the vessel wall and of its cut ends.
        d.line(
            (x0 + 4 * ux, y0 + 4 * uy, x1 - 4 * ux, y1 - 4 * uy),
            fill=index[colour],
            width=round(2 * (radius * PX_PER_MM - 1.5)),
        )
    d.rectangle(DOPPLER_BOX, outline=index[DOPPLER_OUTLINE], width=2)
    # Colour scale beside the field: red (towards the probe) above the line, blue (away) below.
    x, y0, y1 = US_FIELD[2] + 40, US_FIELD[1] + 330, US_FIELD[1] + 420
    mid = (y0 + y1) / 2
    d.rectangle((x, y0, x + 14, mid), fill=index[US_VESSELS[0][-1]])
    d.rectangle((x, mid, x + 14, y1), fill=index[US_VESSELS[1][-1]])
    white = index[(255, 255, 255)]
    d.line((x - 4, mid, x + 18, mid), fill=white, width=1)
    d.text((x + 7, y0 - 6), "flow", font=_font(18), fill=white, anchor="md")
    return out


# --------------------------------------------------------------------------------------------------
# Stated sizes and the pleural rind
# --------------------------------------------------------------------------------------------------

# What each schematic's texts may say about its lesions: (centre x, centre y, diameter in mm), in final
# pixels. At CHEST_PX_PER_MM = 2 a chest lesion's radius in px is its diameter in mm. The miliary nodules
# are many: MILIARY_SIZE_MM gives their range. The tests measure each against the image's scale bar.
LESION_SIZES_MM: dict[str, list[tuple[float, float, float]]] = {
    "cannonball.png": [(cx, cy, 2 * r / CHEST_PX_PER_MM) for cx, cy, r in CANNONBALLS],
    "solitary-nodule.png": [(SOLITARY_NODULE[0], SOLITARY_NODULE[1], 2 * SOLITARY_NODULE[2] / CHEST_PX_PER_MM)],
    "cavitating-nodule.png": [(CAVITATING_NODULE[0], CAVITATING_NODULE[1], 2 * CAVITATING_NODULE[2] / CHEST_PX_PER_MM)],
    "calcified-nodule.png": [(CALCIFIED_NODULE[0], CALCIFIED_NODULE[1], 2 * CALCIFIED_NODULE[2] / CHEST_PX_PER_MM)],
    "halo-nodule.png": [(HALO_NODULE[0], HALO_NODULE[1], 2 * HALO_NODULE[2] / CHEST_PX_PER_MM)],
}
MILIARY_SIZE_MM = (2 * MILIARY_RADII[0] / CHEST_PX_PER_MM, 2 * MILIARY_RADII[1] / CHEST_PX_PER_MM)
US_NODULE_SIZE_MM = (2 * US_NODULE[2], 2 * US_NODULE[3])  # 10 x 6 mm, as the case states


def pleural_rind_mask() -> Image.Image:
    """The drawn left pleural rind of ``pleural-thickening-miliary.png`` as a final-size 0/255 mask."""
    _, left = _visible_lungs(_chest_geometry(volume_loss=True), SS)
    rind = ImageChops.subtract(left, _erode(left, PLEURAL_RIND * SS))
    return _threshold(rind.reduce(SS), 1)


def pleural_aerated_mask() -> Image.Image:
    """The aerated part of the left lung of ``pleural-thickening-miliary.png`` (inside the rind), 0/255."""
    _, left = _visible_lungs(_chest_geometry(volume_loss=True), SS)
    return _threshold(_erode(left, PLEURAL_RIND * SS).reduce(SS), 128)


def _boundary(mask: Image.Image) -> list[tuple[int, int]]:
    """The outer boundary pixels of the one blob in a 0/255 ``mask``, in order (Moore-neighbour tracing)."""
    width, height = mask.size
    data = mask.tobytes()

    def inside(x: int, y: int) -> bool:
        return 0 <= x < width and 0 <= y < height and data[y * width + x] == 255

    first = data.find(255)
    start = (first % width, first // width)
    # The eight neighbours clockwise on the image (y down), starting west.
    around = [(-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1)]
    path, current, came_from = [start], start, 0  # entered from the west: the pixel to the west is outside
    while True:
        for turn in range(8):
            k = (came_from + turn) % 8
            candidate = (current[0] + around[k][0], current[1] + around[k][1])
            if inside(*candidate):
                # Next search starts from the neighbour before this one, seen from the new pixel.
                came_from = (k + 5) % 8
                current = candidate
                break
        if current == start:
            return path
        path.append(current)


def _compass(nx: float, ny: float) -> str:
    """Where on the left lung an outward direction points (image coordinates: y down, lateral to the right)."""
    vertical = "upper" if ny < -0.38 else "lower" if ny > 0.38 else ""
    horizontal = "lateral" if nx > 0.38 else "medial" if nx < -0.38 else ""
    return {
        ("upper", ""): "apex",
        ("upper", "lateral"): "upper lateral wall",
        ("", "lateral"): "lateral wall",
        ("lower", "lateral"): "costophrenic region",
        ("lower", ""): "diaphragmatic surface",
        ("lower", "medial"): "pericardial surface",
        ("", "medial"): "mediastinal surface",
        ("upper", "medial"): "upper mediastinal surface",
    }[vertical, horizontal]


def _rind_targets(rind: Image.Image, aerated: Image.Image, margin: float = 6, sectors: int = 8) -> list[dict]:
    """Polygons that together cover the rind band and leave the aerated lung out, ``sectors`` of them.

    Each polygon follows the rind: along the edge of the aerated lung, ``margin`` px inside it, and back
    along the rind's outer edge, found by walking out along the lung edge's normal, ``margin`` px beyond
    it. So a click on the rind is inside a target and a click well into the aerated lung is outside all
    of them, which one polygon around the hemithorax cannot do. Neighbouring sectors share an end.
    ``cx``/``cy`` is the middle of the rind at the sector's middle; ``label`` says where it is.
    """
    width, height = rind.size
    bands = rind.tobytes()
    edge = _boundary(aerated)
    step, window = 3, 4  # sample every 3rd edge pixel; smooth over 4 samples each side
    samples = (
        edge[edge.index(min(edge, key=lambda p: p[1])) :: step]
        + edge[: edge.index(min(edge, key=lambda p: p[1])) : step]
    )
    n = len(samples)

    def smoothed(i: int) -> Point:
        near = [samples[(i + j) % n] for j in range(-window, window + 1)]
        return sum(x for x, _ in near) / len(near) + 0.5, sum(y for _, y in near) / len(near) + 0.5

    points = [smoothed(i) for i in range(n)]
    crossings = []
    for i, (x, y) in enumerate(points):
        (ax, ay), (bx, by) = points[i - 1], points[(i + 1) % n]
        tx, ty = bx - ax, by - ay
        length = math.sqrt(tx * tx + ty * ty)
        nx, ny = ty / length, -tx / length  # the trace runs clockwise on the image, so this points outwards
        t, entered = 0.0, False
        while True:
            px, py = int(x + nx * t), int(y + ny * t)
            in_rind = 0 <= px < width and 0 <= py < height and bands[py * width + px] == 255
            if in_rind:
                entered = True
            elif entered or t > 4 * PLEURAL_RIND:
                break
            t += 0.25
        crossings.append(((x, y), (nx, ny), t))

    def relative(x: float, y: float) -> list[float]:
        return [round(min(max(x / width, 0), 1), 3), round(min(max(y / height, 0), 1), 3)]

    targets = []
    for k in range(sectors):
        span = (crossings + crossings[:1])[k * n // sectors : (k + 1) * n // sectors + 1]
        span = span[:-1:2] + span[-1:]  # every other crossing as a vertex, and the shared end
        outer = [relative(x + nx * (t + margin), y + ny * (t + margin)) for (x, y), (nx, ny), t in span]
        inner = [relative(x - nx * margin, y - ny * margin) for (x, y), (nx, ny), _ in span]
        outline: list[list[float]] = []
        for point in outer + list(reversed(inner)):
            if not outline or point != outline[-1]:
                outline.append(point)
        (x, y), (nx, ny), t = span[len(span) // 2]
        targets.append(
            {
                "shape": "polygon",
                "points": outline,
                "cx": round((x + nx * t / 2) / width, 4),
                "cy": round((y + ny * t / 2) / height, 4),
                "label": f"left pleural rind, {_compass(nx, ny)}",
            }
        )
    return targets


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

SCHEMATICS: dict[str, Callable[[], Image.Image]] = {
    "miliary.png": draw_miliary,
    "cannonball.png": draw_cannonball,
    "solitary-nodule.png": draw_solitary_nodule,
    "cavitating-nodule.png": draw_cavitating_nodule,
    "calcified-nodule.png": draw_calcified_nodule,
    "halo-nodule.png": draw_halo_nodule,
    "pleural-thickening-miliary.png": draw_pleural_thickening_miliary,
    "subcutaneous-nodule-ultrasound.png": draw_subcutaneous_nodule_ultrasound,
}

SIZES: dict[str, tuple[int, int]] = {
    name: US_SIZE if name == "subcutaneous-nodule-ultrasound.png" else CHEST_SIZE for name in SCHEMATICS
}


def _targets() -> dict[str, list[dict]]:
    right, left = _visible_lungs(_chest_geometry())
    lungs = [_moment_target(right, "right lung"), _moment_target(left, "left lung")]

    def nodule(cx: float, cy: float, r: float, label: str) -> dict:
        return _ellipse_target(cx, cy, r, r, CHEST_SIZE, label)

    return {
        "miliary.png": lungs,
        "cannonball.png": [dict(t) for t in lungs],
        "solitary-nodule.png": [nodule(*SOLITARY_NODULE, "solitary nodule, right lower zone")],
        "cavitating-nodule.png": [nodule(*CAVITATING_NODULE, "cavitating nodule, right upper zone")],
        "calcified-nodule.png": [nodule(*CALCIFIED_NODULE, "calcified nodule, left mid zone")],
        "halo-nodule.png": [nodule(*HALO_NODULE[:2], HALO_RADIUS, "nodule with ground-glass halo, left lower lobe")],
        "pleural-thickening-miliary.png": _rind_targets(pleural_rind_mask(), pleural_aerated_mask()),
        "subcutaneous-nodule-ultrasound.png": [
            _ellipse_target(*_us_nodule_px(), US_SIZE, "hyperechoic subcutaneous nodule without internal flow")
        ],
    }


TARGETS: dict[str, list[dict]] = _targets()


def draw(name: str) -> bytes:
    """The PNG bytes of the schematic ``name`` (a key of ``SCHEMATICS``), identical on every run."""
    return encode_png(SCHEMATICS[name]())


def write_all(directory: Path) -> list[Path]:
    """Write every schematic into ``directory`` (created if needed); return the paths, in registry order.

    A file whose bytes are already right is left untouched.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SCHEMATICS:
        path = directory / name
        data = draw(name)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        paths.append(path)
    return paths
