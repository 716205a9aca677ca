"""The schematic teaching images: deterministic, metadata-free PNGs that show what their targets say.

No database is needed, but the project's conftest (and so pytest-django) is always loaded. Run with:
    .venv/bin/python -m pytest tests/content/test_schematics.py -q
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFont

from quizzes.content import schematics as sch
from quizzes.content.png import encode_png
from quizzes.hotspots import contains, validate_geometry
from tests.content.test_png import chunk_types

IMAGES = Path(__file__).resolve().parents[2] / "quizzes" / "content" / "images"
CHEST = (800, 800)
ULTRASOUND = (800, 600)
EXPECTED_SIZES = {
    "miliary.png": CHEST,
    "cannonball.png": CHEST,
    "solitary-nodule.png": CHEST,
    "cavitating-nodule.png": CHEST,
    "calcified-nodule.png": CHEST,
    "halo-nodule.png": CHEST,
    "pleural-thickening-miliary.png": CHEST,
    "subcutaneous-nodule-ultrasound.png": ULTRASOUND,
}
NAMES = list(EXPECTED_SIZES)
CHEST_NAMES = [n for n in NAMES if EXPECTED_SIZES[n] == CHEST]


@pytest.fixture(scope="module")
def fresh() -> dict[str, bytes]:
    """Each schematic drawn once, as PNG bytes."""
    return {name: sch.draw(name) for name in NAMES}


@pytest.fixture(scope="module")
def decoded(fresh) -> dict[str, Image.Image]:
    """The PNGs of ``fresh``, decoded."""
    return {name: _open(data) for name, data in fresh.items()}


@pytest.fixture(scope="module")
def pixels(decoded) -> dict[str, Image.Image]:
    """The decoded PNGs in greyscale: what the grey-level checks below read (the Doppler colour aside)."""
    return {name: image.convert("L") for name, image in decoded.items()}


@pytest.fixture(scope="module")
def redrawn() -> dict[str, Image.Image]:
    """Each schematic drawn a second time, as an image."""
    return {name: sch.SCHEMATICS[name]() for name in NAMES}


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _px(image: Image.Image, x: float, y: float) -> int:
    return image.getpixel((int(x), int(y)))


def _ring(image: Image.Image, cx: float, cy: float, r: float, n: int = 24) -> float:
    """Median grey level on a circle of radius r (the median shrugs off the odd rib crossing it)."""
    # Points of a regular 24-gon, from exact rational-ish coordinates (no trigonometry needed).
    unit = [(1, 0), (0.966, 0.259), (0.866, 0.5), (0.707, 0.707), (0.5, 0.866), (0.259, 0.966)]
    dirs = []
    for ux, uy in unit:
        dirs += [(ux, uy), (-uy, ux), (-ux, -uy), (uy, -ux)]
    return statistics.median(_px(image, cx + r * dx, cy + r * dy) for dx, dy in dirs[:n])


def _target_px(name: str, target: dict) -> tuple[float, float, float, float]:
    w, h = EXPECTED_SIZES[name]
    return target["cx"] * w, target["cy"] * h, target["rx"] * w, target["ry"] * h


def _fraction(image: Image.Image, cx, cy, rx, ry, inner, outer, predicate) -> float:
    """Share of the pixels between ``inner`` and ``outer`` (fractions of the radii) that satisfy predicate."""
    hits = total = 0
    for y in range(int(cy - ry), int(cy + ry) + 1, 2):
        for x in range(int(cx - rx), int(cx + rx) + 1, 2):
            d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
            if inner * inner <= d <= outer * outer:
                total += 1
                hits += predicate(_px(image, x, y))
    return hits / total


# --------------------------------------------------------------------------------------------------
# Deterministic, honest files
# --------------------------------------------------------------------------------------------------


def test_the_module_registers_the_eight_schematics_each_with_targets():
    assert list(sch.SCHEMATICS) == NAMES
    assert set(sch.TARGETS) == set(NAMES)
    assert all(sch.TARGETS[name] for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_drawing_twice_gives_identical_bytes(name, fresh, redrawn):
    assert encode_png(redrawn[name]) == fresh[name]


@pytest.mark.parametrize("name", NAMES)
def test_the_committed_png_equals_the_freshly_drawn_bytes(name, fresh):
    path = IMAGES / name
    assert path.is_file(), f"{path} is missing: run quizzes.content.schematics.write_all()"
    assert path.read_bytes() == fresh[name], (
        f"{name} has drifted from the code: regenerate it with quizzes.content.schematics.write_all()"
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_image_opens_as_a_png_of_the_expected_size_greyscale_but_the_colour_doppler_palette(name, decoded):
    image = decoded[name]
    assert image.format == "PNG"
    assert image.mode == ("P" if name == "subcutaneous-nodule-ultrasound.png" else "L")
    assert image.size == EXPECTED_SIZES[name]


@pytest.mark.parametrize("name", NAMES)
def test_every_png_has_only_the_essential_chunks_and_no_metadata(name, fresh, decoded):
    palette = [b"PLTE"] if name == "subcutaneous-nodule-ultrasound.png" else []
    assert chunk_types(fresh[name]) == [b"IHDR", *palette, b"IDAT", b"IEND"]
    assert decoded[name].info == {}


@pytest.mark.parametrize("name", NAMES)
def test_every_png_is_smaller_than_150_kb(name, fresh):
    assert len(fresh[name]) < 150 * 1024


@pytest.mark.parametrize("name", NAMES)
def test_the_png_decodes_to_exactly_the_drawn_pixels(name, decoded, redrawn):
    assert decoded[name].tobytes() == redrawn[name].tobytes()


def test_write_all_writes_each_schematic_once_and_returns_the_paths(tmp_path, monkeypatch, fresh):
    name = "solitary-nodule.png"
    monkeypatch.setattr(sch, "SCHEMATICS", {name: sch.SCHEMATICS[name]})
    (path,) = sch.write_all(tmp_path / "out")
    assert path == tmp_path / "out" / name
    assert path.read_bytes() == fresh[name]
    stamp = path.stat().st_mtime_ns
    path.chmod(0o444)  # an up-to-date file is left alone, not rewritten
    assert sch.write_all(tmp_path / "out") == [path]
    assert path.stat().st_mtime_ns == stamp


# --------------------------------------------------------------------------------------------------
# Legible labels
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_image_has_a_dark_title_band_and_a_light_caption_band_with_contrasting_text(name, pixels):
    image = pixels[name]
    w, h = image.size
    title = image.crop((0, 0, w, 40))
    caption = image.crop((0, h - 40, w, h))
    assert statistics.mean(title.tobytes()) < 40 and title.getextrema()[1] >= 240
    assert statistics.mean(caption.tobytes()) > 200 and caption.getextrema()[0] <= 15


@pytest.mark.parametrize("name", CHEST_NAMES)
def test_chest_images_mark_r_on_the_viewers_left_and_l_on_the_viewers_right(name, pixels):
    image = pixels[name]
    font = ImageFont.load_default(size=36)

    def glyph(img: Image.Image) -> Image.Image:
        """The letter cropped to its ink and scaled to a fixed size."""
        ink = img.point([255 if v >= 128 else 0 for v in range(256)]).getbbox()
        return img.crop(ink).resize((24, 30))

    def distance(a: Image.Image, b: Image.Image) -> int:
        return sum(ImageChops.difference(a, b).tobytes())

    references = {}
    for letter in "RL":
        canvas = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(canvas).text((30, 30), letter, font=font, fill=255, anchor="mm")
        references[letter] = glyph(canvas)
    (rx, _ry), (lx, _ly) = sch.SIDE_MARKERS["R"], sch.SIDE_MARKERS["L"]
    assert rx < image.size[0] / 2 < lx
    for letter, (x, y) in sch.SIDE_MARKERS.items():
        seen = glyph(image.crop((x - 18, y - 20, x + 18, y + 20)))
        other = "L" if letter == "R" else "R"
        assert distance(seen, references[letter]) < distance(seen, references[other]), letter


# --------------------------------------------------------------------------------------------------
# Targets: inside the image, over what is drawn
# --------------------------------------------------------------------------------------------------


ELLIPSE_TARGETS = [(name, t) for name in NAMES for t in sch.TARGETS[name] if t["shape"] == "ellipse"]


@pytest.mark.parametrize("name", NAMES)
def test_every_target_is_an_ellipse_or_a_polygon_that_lies_within_the_image(name):
    for target in sch.TARGETS[name]:
        assert isinstance(target["label"], str) and target["label"].strip()
        if target["shape"] == "polygon":
            assert set(target) == {"shape", "points", "cx", "cy", "label"}
            assert validate_geometry("polygon", {"points": target["points"]}) == []
            assert contains("polygon", {"points": target["points"]}, target["cx"], target["cy"])
            continue
        assert set(target) == {"shape", "cx", "cy", "rx", "ry", "label"}
        assert target["shape"] == "ellipse"
        assert target["rx"] > 0 and target["ry"] > 0
        assert 0 <= target["cx"] - target["rx"] and target["cx"] + target["rx"] <= 1
        assert 0 <= target["cy"] - target["ry"] and target["cy"] + target["ry"] <= 1


@pytest.mark.parametrize(("name", "target"), ELLIPSE_TARGETS, ids=[n for n, _ in ELLIPSE_TARGETS])
def test_every_ellipse_target_lies_over_something_drawn_not_the_background(name, target, pixels):
    image = pixels[name]
    background = _px(image, 6, image.size[1] / 2)  # outside the patient / outside the scan field
    assert background <= 10
    cx, cy, rx, ry = _target_px(name, target)
    drawn = _fraction(image, cx, cy, rx, ry, 0, 1, lambda v: v - background >= 15)
    assert drawn > 0.9, (target["label"], drawn)


def test_the_lung_targets_of_the_miliary_and_cannonball_images_sit_on_the_lung_fields(pixels):
    for name in ("miliary.png", "cannonball.png"):
        labels = [t["label"] for t in sch.TARGETS[name]]
        assert labels == ["right lung", "left lung"]
        right, left = (_target_px(name, t) for t in sch.TARGETS[name])
        assert right[0] < CHEST[0] / 2 < left[0]  # patient's right lung on the viewer's left
        plain = _plain_chest(pixels)
        for cx, cy, rx, ry in (right, left):
            dark = _fraction(plain, cx, cy, rx, ry, 0, 0.5, lambda v: v < 90)
            assert dark > 0.7, (name, dark)


def _plain_chest(pixels) -> Image.Image:
    """The normal anatomy without lesions: two drawings whose few nodules do not overlap, pixelwise darker."""
    return ImageChops.darker(pixels["solitary-nodule.png"], pixels["calcified-nodule.png"])


def test_miliary_nodules_fill_every_zone_of_both_lungs(pixels):
    # Subtracting the same anatomy without lesions leaves only the nodules.
    added = ImageChops.subtract(pixels["miliary.png"], _plain_chest(pixels))
    for target in sch.TARGETS["miliary.png"]:
        cx, cy, rx, ry = _target_px("miliary.png", target)
        for zone in range(3):  # upper, mid, lower thirds of the lung
            y0 = cy - 0.8 * ry + zone * (1.6 * ry / 3)
            box = (int(cx - 0.5 * rx), int(y0), int(cx + 0.5 * rx), int(y0 + 1.6 * ry / 3))
            bright = sum(1 for v in added.crop(box).tobytes() if v > 40)
            assert bright > 150, (target["label"], zone, bright)  # dozens of nodules of ~25 px each


def test_cannonball_masses_are_large_round_in_both_lungs_and_commoner_low_down(pixels):
    image = pixels["cannonball.png"]
    masses = sch.CANNONBALLS
    assert all(25 <= r <= 60 for _, _, r in masses)
    assert {cx < CHEST[0] / 2 for cx, _, _ in masses} == {True, False}
    lower = sum(1 for _, cy, _ in masses if cy > 420)
    assert lower > len(masses) - lower
    for cx, cy, r in masses:
        outside = _ring(image, cx, cy, r + 6)
        assert outside < 100, (cx, cy)  # surrounded by lung, not mediastinum or diaphragm
        assert _px(image, cx, cy) - outside >= 60, (cx, cy)
        assert _ring(image, cx, cy, r - 4) - outside >= 45, (cx, cy)  # well-defined edge


def test_the_solitary_nodule_is_one_dense_nodule_in_the_right_lower_zone_periphery(pixels):
    image = pixels["solitary-nodule.png"]
    (target,) = sch.TARGETS["solitary-nodule.png"]
    cx, cy, rx, _ = _target_px("solitary-nodule.png", target)
    assert cx < CHEST[0] / 2 and cy > CHEST[1] / 2
    lung = _ring(image, cx, cy, rx + 8)
    assert lung < 100
    assert _px(image, cx, cy) - lung >= 70


def test_the_cavitating_target_has_a_thick_dense_wall_around_a_dark_cavity(pixels):
    image = pixels["cavitating-nodule.png"]
    (target,) = sch.TARGETS["cavitating-nodule.png"]
    cx, cy, r, _ = _target_px("cavitating-nodule.png", target)
    assert cx < CHEST[0] / 2 and cy < 0.4 * CHEST[1]  # right upper zone
    lung = _ring(image, cx, cy, r + 10)
    wall = _ring(image, cx, cy, r - 8)
    centre = _px(image, cx, cy)
    assert wall - lung >= 60
    assert wall - centre >= 70
    assert centre <= lung + 10  # the cavity is air, as dark as lung
    for x, y, rr in sch.CAVITATING_SOLID_NODULES:  # the others are solid
        assert _px(image, x, y) - _ring(image, x, y, rr + 8) >= 60


def test_the_calcified_nodule_is_clearly_brighter_than_the_soft_tissue_nodules(pixels):
    image = pixels["calcified-nodule.png"]
    (target,) = sch.TARGETS["calcified-nodule.png"]
    cx, cy, r, _ = _target_px("calcified-nodule.png", target)
    assert cx > CHEST[0] / 2  # patient's left
    calcified = _px(image, cx, cy)
    lung = _ring(image, cx, cy, r + 8)
    soft = [_px(image, x, y) for x, y, _ in sch.CALCIFIED_SOFT_NODULES]
    assert len(soft) == 2
    assert calcified >= 235
    assert calcified - lung >= 150
    assert calcified - max(soft) >= 70
    assert all(
        s - _ring(image, x, y, rr + 8) >= 60 for s, (x, y, rr) in zip(soft, sch.CALCIFIED_SOFT_NODULES, strict=False)
    )


def test_the_halo_nodule_has_a_faint_ground_glass_ring_that_the_solid_nodules_lack(pixels):
    image = pixels["halo-nodule.png"]
    (target,) = sch.TARGETS["halo-nodule.png"]
    cx, cy, halo, _ = _target_px("halo-nodule.png", target)
    assert cx > CHEST[0] / 2 and cy > CHEST[1] / 2  # patient's left, lower zone
    r = sch.HALO_NODULE[2]
    nodule = _px(image, cx, cy)
    ring = _ring(image, cx, cy, (r + halo) / 2)
    lung = _ring(image, cx, cy, halo + 14)
    assert ring - lung >= 15  # the halo is visible ...
    assert nodule - ring >= 40  # ... but fainter than the nodule
    for x, y, rr in sch.HALO_SOLID_NODULES:
        assert x < CHEST[0] / 2
        assert _px(image, x, y) - _ring(image, x, y, rr + 8) >= 60
        assert abs(_ring(image, x, y, rr + 9) - _ring(image, x, y, rr + 30)) <= 8  # no halo


def _polygon_mask(points: list[list[float]], size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon([(x * size[0], y * size[1]) for x, y in points], fill=255)
    return mask


def _count(mask: Image.Image) -> int:
    return mask.tobytes().count(255)


def _pleural_targets_mask() -> Image.Image:
    mask = Image.new("L", CHEST, 0)
    for target in sch.TARGETS["pleural-thickening-miliary.png"]:
        assert target["shape"] == "polygon"
        mask = ImageChops.lighter(mask, _polygon_mask(target["points"], CHEST))
    return mask


def test_the_pleural_targets_cover_the_whole_bright_rind_but_not_the_heart(pixels):
    name = "pleural-thickening-miliary.png"
    image = pixels[name]
    targets = sch.TARGETS[name]
    assert len(targets) > 1 and all(target["cx"] > 0.5 for target in targets)  # the patient's left
    rind = sch.pleural_rind_mask()
    covered = _pleural_targets_mask()
    # The drawn rind, apex, costophrenic region and mediastinal surface included, lies inside the polygons ...
    assert _count(ImageChops.multiply(rind, covered)) >= 0.995 * _count(rind)
    # ... and is soft-tissue bright where a normal left lung is dark.
    rind_pixels = [v for v, m in zip(image.tobytes(), rind.tobytes(), strict=True) if m]
    normal = [v for v, m in zip(_plain_chest(pixels).tobytes(), rind.tobytes(), strict=True) if m]
    assert statistics.median(rind_pixels) > 100 and statistics.median(rind_pixels) - statistics.median(normal) > 40
    # The heart (mediastinum below the carina) stays outside.
    heart = ImageChops.multiply(
        _polygon_mask(
            [[x / CHEST[0], y / CHEST[1]] for x, y in sch._chest_geometry(volume_loss=True)["mediastinum"]], CHEST
        ),
        _polygon_mask([[0, 0.48], [1, 0.48], [1, 1], [0, 1]], CHEST),
    )
    assert _count(ImageChops.multiply(heart, covered)) < 0.03 * _count(heart)


def test_a_click_in_the_aerated_left_lung_is_outside_every_pleural_target(pixels):
    name = "pleural-thickening-miliary.png"
    aerated = sch.pleural_aerated_mask()
    covered = _pleural_targets_mask()
    # The targets follow the rind band: they reach only a few pixels into the lung it encases ...
    assert _count(ImageChops.multiply(sch._erode(aerated, 10), covered)) == 0
    assert _count(covered) < 1.2 * _count(sch.pleural_rind_mask()) + 0.3 * _count(aerated)
    # ... so the scorer marks a click in the middle of the dark left lung wrong. The aerated lung is dark.
    _, top, _, bottom = aerated.getbbox()
    y = (top + bottom) // 2
    row = aerated.crop((0, y, CHEST[0], y + 1)).tobytes()
    x = (row.find(255) + row.rfind(255)) // 2
    assert _px(aerated, x, y) == 255
    assert _px(pixels[name], x, y) < 90
    assert not any(
        contains("polygon", {"points": target["points"]}, (x + 0.5) / CHEST[0], (y + 0.5) / CHEST[1])
        for target in sch.TARGETS[name]
    )


def test_the_find_the_lesion_pleural_regions_are_the_schematics_polygons():
    pack = yaml.safe_load((IMAGES.parent / "find-the-lesion.yaml").read_text())
    (question,) = [q for q in pack["questions"] if q["key"] == "find-the-pleural-thickening"]
    regions = question["regions"]
    assert [region["shape"] for region in regions] == ["polygon"] * len(sch.TARGETS["pleural-thickening-miliary.png"])
    assert [region["geometry"]["points"] for region in regions] == [
        target["points"] for target in sch.TARGETS["pleural-thickening-miliary.png"]
    ]


def test_the_right_lung_of_the_pleural_image_has_miliary_nodules_in_every_zone(pixels):
    added = ImageChops.subtract(pixels["pleural-thickening-miliary.png"], _plain_chest(pixels))
    cx, cy, rx, ry = _target_px("miliary.png", sch.TARGETS["miliary.png"][0])
    for zone in range(3):
        y0 = cy - 0.8 * ry + zone * (1.6 * ry / 3)
        box = (int(cx - 0.5 * rx), int(y0), int(cx + 0.5 * rx), int(y0 + 1.6 * ry / 3))
        assert sum(1 for v in added.crop(box).tobytes() if v > 40) > 150, zone


def test_the_ultrasound_nodule_is_hyperechoic_and_sits_in_the_fat_under_a_bright_skin_line(pixels):
    name = "subcutaneous-nodule-ultrasound.png"
    image = pixels[name]
    (target,) = sch.TARGETS[name]
    cx, cy, rx, ry = _target_px(name, target)
    left, top, right, _bottom = sch.US_FIELD

    def mean(box) -> float:
        return statistics.mean(image.crop(tuple(int(v) for v in box)).tobytes())

    nodule = mean((cx - 0.6 * rx, cy - 0.5 * ry, cx + 0.6 * rx, cy + 0.5 * ry))
    fat_left = mean((left + 5, cy - 0.5 * ry, cx - rx - 15, cy + 0.5 * ry))
    fat_right = mean((cx + rx + 15, cy - 0.5 * ry, right - 5, cy + 0.5 * ry))
    skin = mean((left, top + 2, right, top + 14))
    assert nodule - max(fat_left, fat_right) >= 50
    assert skin - max(fat_left, fat_right) >= 80
    fascia_y = top + sch.US_FASCIA_MM * sch.PX_PER_MM
    skin_y = top + sch.US_SKIN_MM[1] * sch.PX_PER_MM
    assert skin_y < cy - ry and cy + ry < fascia_y  # within the subcutaneous fat
    assert left < cx - rx and cx + rx < right


# --------------------------------------------------------------------------------------------------
# Drawn to their stated size, measured against each image's own scale bar
# --------------------------------------------------------------------------------------------------


def _longest_white(row: bytes) -> int:
    best = run = 0
    for v in row:
        run = run + 1 if v >= 200 else 0
        best = max(best, run)
    return best


def _half_max_width(values: list[float], centre: int, baseline: float) -> int:
    """Width of the run around ``centre`` whose excess over ``baseline`` is at least half the peak's."""
    peak = max(values[centre - 3 : centre + 4]) - baseline
    # a cavity's centre is air: take the peak over the whole lesion then
    peak = max(peak, max(values) - baseline) if peak < 20 else peak
    inside = [v - baseline >= peak / 2 for v in values]
    lo = hi = centre
    if not inside[centre]:  # a cavitating lesion: start from the wall nearest the centre
        lo = next(i for i in range(centre, 0, -1) if inside[i])
        hi = next(i for i in range(centre, len(values)) if inside[i])
    while lo > 0 and inside[lo - 1]:
        lo -= 1
    while hi < len(values) - 1 and inside[hi + 1]:
        hi += 1
    return hi - lo + 1


def _chest_mm_per_px(image: Image.Image) -> float:
    x, y = sch.CHEST_SCALE_BAR
    return sch.CHEST_SCALE_MM / _longest_white(image.crop((x - 6, y, x + 120, y + 1)).tobytes())


SIZED = [(name, lesion) for name, lesions in sch.LESION_SIZES_MM.items() for lesion in lesions]


@pytest.mark.parametrize(("name", "lesion"), SIZED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SIZED)])
def test_each_chest_lesion_measures_its_stated_size_against_the_5_cm_scale_bar(name, lesion, pixels):
    image = pixels[name]
    cx, cy, stated_mm = lesion
    mm_per_px = _chest_mm_per_px(image)
    assert abs(mm_per_px - 1 / sch.CHEST_PX_PER_MM) <= 0.02 / sch.CHEST_PX_PER_MM  # the bar is 5 cm long
    reach = round(stated_mm / mm_per_px)
    x0, y = round(cx) - reach, round(cy)
    row = [statistics.mean(image.getpixel((x, y + dy)) for dy in (-1, 0, 1)) for x in range(x0, x0 + 2 * reach + 1)]
    if name == "halo-nodule.png":  # no lesion-free CT to subtract: the lung beyond the halo is the baseline
        baseline = _ring(image, cx, cy, sch.HALO_RADIUS + 14)
    else:
        plain = _plain_chest(pixels)
        row = [
            v - statistics.mean(plain.getpixel((x, y + dy)) for dy in (-1, 0, 1))
            for v, x in zip(row, range(x0, x0 + 2 * reach + 1), strict=True)
        ]
        baseline = 0
    measured_mm = _half_max_width(row, reach, baseline) * mm_per_px
    assert abs(measured_mm - stated_mm) <= 0.1 * stated_mm, (measured_mm, stated_mm)


def test_the_miliary_nodules_measure_two_to_three_mm_against_the_scale_bar(pixels):
    added = ImageChops.subtract(pixels["miliary.png"], _plain_chest(pixels))
    mm_per_px = _chest_mm_per_px(pixels["miliary.png"])
    cx, cy, rx, ry = _target_px("miliary.png", sch.TARGETS["miliary.png"][0])
    box = (int(cx - 0.5 * rx), int(cy - 0.5 * ry), int(cx + 0.5 * rx), int(cy + 0.5 * ry))
    blobs = _blobs(added.crop(box), level=sch.MILIARY_ADD * 0.4)
    assert len(blobs) > 40
    diameters = [2 * (area / 3.14159) ** 0.5 * mm_per_px for area in blobs]
    low, high = sch.MILIARY_SIZE_MM
    assert abs(statistics.mean(diameters) - (low + high) / 2) <= 0.1 * (low + high) / 2, statistics.mean(diameters)
    assert all(d < 1.1 * high + 1 for d in diameters)  # none is a larger nodule (one px of rounding allowed)


def _blobs(image: Image.Image, level: float) -> list[int]:
    """Areas (px) of the 4-connected groups of pixels at or above ``level`` that do not touch the edge."""
    w, h = image.size
    data = image.tobytes()
    seen = bytearray(w * h)
    areas = []
    for start in range(w * h):
        if seen[start] or data[start] < level:
            continue
        stack, area, edge = [start], 0, False
        seen[start] = 1
        while stack:
            i = stack.pop()
            area += 1
            x, y = i % w, i // w
            edge |= x in (0, w - 1) or y in (0, h - 1)
            for j in (i - 1 if x else -1, i + 1 if x < w - 1 else -1, i - w, i + w):
                if 0 <= j < w * h and not seen[j] and data[j] >= level:
                    seen[j] = 1
                    stack.append(j)
        if not edge:
            areas.append(area)
    return areas


def test_the_ultrasound_nodule_measures_1_0_by_0_6_cm_against_its_10_mm_scale_bar(pixels):
    name = "subcutaneous-nodule-ultrasound.png"
    image = pixels[name]
    left = sch.US_FIELD[0]
    bar_px = _longest_white(image.crop((left - 6, sch.US_SCALE_BAR_Y, left + 200, sch.US_SCALE_BAR_Y + 1)).tobytes())
    mm_per_px = sch.US_SCALE_MM / bar_px
    (target,) = sch.TARGETS[name]
    cx, cy, _, _ = (round(v) for v in _target_px(name, target))

    def band(box: tuple[int, int, int, int], across: bool) -> list[float]:
        """Mean grey level along a 9 px wide band: across columns (a row profile) or down rows."""
        crop = image.crop(box)
        w, h = crop.size
        data = crop.tobytes()
        if across:
            return [statistics.mean(data[y * w + x] for y in range(h)) for x in range(w)]
        return [statistics.mean(data[y * w : (y + 1) * w]) for y in range(h)]

    width_profile = band((cx - 90, cy - 4, cx + 91, cy + 5), across=True)
    depth_profile = band((cx - 4, cy - 55, cx + 5, cy + 56), across=False)
    fat = statistics.median(width_profile[:20] + width_profile[-20:])
    width_mm = _half_max_width(width_profile, 90, fat) * mm_per_px
    depth_fat = statistics.median(depth_profile[:12] + depth_profile[-12:])
    depth_mm = _half_max_width(depth_profile, 55, depth_fat) * mm_per_px
    stated_w, stated_d = sch.US_NODULE_SIZE_MM
    assert (stated_w, stated_d) == (10, 6)  # the case's 1.0 x 0.6 cm
    assert abs(width_mm - stated_w) <= 0.1 * stated_w, width_mm
    assert abs(depth_mm - stated_d) <= 0.1 * stated_d, depth_mm


def test_the_colour_doppler_box_shows_flow_in_vessels_but_none_in_the_nodule(decoded):
    name = "subcutaneous-nodule-ultrasound.png"
    image = decoded[name].convert("RGB")
    (target,) = sch.TARGETS[name]
    cx, cy, rx, ry = _target_px(name, target)
    x0, y0, x1, y1 = sch.DOPPLER_BOX

    def coloured(x: int, y: int) -> bool:
        r, g, b = image.getpixel((x, y))
        return max(r, g, b) - min(r, g, b) > 60

    # The box is drawn and holds the nodule with tissue all round it.
    assert x0 < cx - rx and cx + rx < x1 and y0 < cy - ry and cy + ry < y1
    assert all(coloured(x, y0) for x in range(x0 + 4, x1 - 4, 10))
    inside_box = [(x, y) for x in range(x0 + 3, x1 - 2, 2) for y in range(y0 + 3, y1 - 2, 2)]
    in_nodule = [(x, y) for x, y in inside_box if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1]
    assert len(in_nodule) > 300
    assert not any(coloured(x, y) for x, y in in_nodule)  # no internal flow
    flow = [(x, y) for x, y in inside_box if coloured(x, y)]
    assert len(flow) > 500  # the vessels fill with colour: the Doppler is working
    assert {image.getpixel(p)[0] > image.getpixel(p)[2] for p in flow} == {True, False}  # red and blue
    # The box is not steered (a rectangle, beams straight down), so each vessel runs obliquely, at 25
    # degrees or more to the skin: at 90 degrees to the beam it would show little or no colour.
    for red in (True, False):
        xs, ys = zip(*[p for p in flow if (image.getpixel(p)[0] > image.getpixel(p)[2]) is red], strict=True)
        assert (max(ys) - min(ys)) / (max(xs) - min(xs)) > 0.47


def test_the_halo_schematic_is_an_axial_ct_not_a_radiograph(pixels):
    image = pixels["halo-nodule.png"]
    assert sch.CT_TITLE.startswith("CT") and "radiograph" not in sch.CT_TITLE
    # Title bands differ: the CT one is not the radiograph's.
    assert ImageChops.difference(
        image.crop((0, 0, 800, 44)), pixels["solitary-nodule.png"].crop((0, 0, 800, 44))
    ).getbbox()
    # An axial slice: a vertebral body (bone white) in the midline behind the heart, air around the body.
    assert _px(image, 400, 606) >= 240
    assert _px(image, 400, 180) <= 10 and _px(image, 400, 700) <= 10
