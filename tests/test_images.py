"""Image uploads are judged by their content, re-encoded without metadata, and thumbnailed."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from quizzes import images
from quizzes.images import image_prepare
from quizzes.services.questions import question_image_set
from tests.factories import make_question, make_quiz


def png_bytes(size=(40, 30), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG", **save_options)
    return buffer.getvalue()


def test_a_text_file_named_png_is_refused():
    with pytest.raises(ValidationError, match="not an image"):
        image_prepare(b"just some notes, not a picture", "notes.png")


def test_a_png_header_followed_by_html_is_refused():
    with pytest.raises(ValidationError, match="not an image"):
        image_prepare(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "evil.png")


def test_html_appended_to_a_valid_png_does_not_survive_re_encoding():
    prepared = image_prepare(png_bytes() + b"<script>alert(1)</script>", "tail.png")

    assert b"<script>" not in prepared.image.read()


def test_an_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)

    with pytest.raises(ValidationError, match="pixels"):
        image_prepare(png_bytes(size=(101, 100)), "big.png")


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)

    with pytest.raises(ValidationError, match="MB"):
        image_prepare(png_bytes() + b"\0" * 1000, "heavy.png")


def test_metadata_is_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Patient name and hospital number")
    prepared = image_prepare(png_bytes(pnginfo=info), "tagged.png")

    data = prepared.image.read()
    assert b"Patient name" not in data and b"tEXt" not in data


def test_a_thumbnail_fits_the_thumbnail_box_and_keeps_the_aspect_ratio():
    prepared = image_prepare(png_bytes(size=(1600, 800)), "wide.png")

    with Image.open(prepared.thumbnail) as thumbnail:
        assert thumbnail.size == (640, 320)
    with Image.open(prepared.image) as full:
        assert full.size == (1600, 800)


def test_a_jpeg_stays_a_jpeg_and_other_names_are_ignored():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="JPEG")

    prepared = image_prepare(buffer.getvalue(), "photo.png")

    assert prepared.image.name == "photo.jpg"


@pytest.mark.django_db
def test_a_refused_image_leaves_the_question_unchanged():
    question = make_question(quiz=make_quiz(questions=0))
    question_image_set(question=question, data=png_bytes(), name="first.png", alt="A red square")

    with pytest.raises(ValidationError):
        question_image_set(question=question, data=b"not an image", name="second.png", alt="Other")

    question.refresh_from_db()
    assert question.image.name.endswith(".png") and question.image_alt == "A red square"
    assert question.thumbnail
