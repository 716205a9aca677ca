"""Question images: checked by their content, re-encoded by Pillow, and given a thumbnail.

Every image, whether an educator uploads it or the content pack ships it, goes through
`image_prepare`, so nothing reaches the media folder that Pillow has not decoded and re-encoded.
Re-encoding drops metadata (EXIF, GPS, comments) and anything smuggled after the image data; the
EXIF orientation is applied to the pixels first, since a viewer that honoured it would otherwise show the
picture turned or mirrored once the tag is gone (in radiology a left/right flip is a wrong answer).
Stored files are named by a hash of their content, never by the uploaded name, the quiz or the question:
a name like `cannonball-metastases.png` would give the answer away to anyone who looks at the page.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # e.g. 5000 x 5000
THUMBNAIL_BOX = (640, 640)
# Pillow format -> (format to save in, file extension). Anything else is refused.
ACCEPTED_FORMATS = {"PNG": ("PNG", "png"), "JPEG": ("JPEG", "jpg"), "GIF": ("PNG", "png"), "WEBP": ("PNG", "png")}


@dataclass(frozen=True)
class PreparedImage:
    image: ContentFile
    thumbnail: ContentFile


def image_prepare(data: bytes, name: str) -> PreparedImage:
    """Validate `data` as an image and return re-encoded full-size and thumbnail files.

    `name` (the uploaded or bundled file's name) only says which file a refusal is about.
    """
    shown = PurePath(name).name or "The file"
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"{shown} is {len(data) / 1024 / 1024:.1f} MB; images may be at most {MAX_BYTES // 1024 // 1024} MB.",
            code="too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            source_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    f"{shown} is {width} x {height} pixels; images may have at most {MAX_PIXELS:,} pixels.",
                    code="too_many_pixels",
                )
            probe.verify()  # checks the whole file's structure, not only its header
        if source_format not in ACCEPTED_FORMATS:
            raise ValidationError(f"{source_format} images are not accepted; use PNG or JPEG.", code="format")
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            full = ImageOps.exif_transpose(picture)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            f"{shown} is not an image Pillow can read; upload a PNG or JPEG.", code="not_image"
        ) from None

    save_format, extension = ACCEPTED_FORMATS[source_format]
    thumbnail = full.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX)
    return PreparedImage(
        image=named_by_content(encode(full, save_format), extension),
        thumbnail=named_by_content(encode(thumbnail, save_format), extension),
    )


def named_by_content(data: bytes, extension: str) -> ContentFile:
    # 128 bits of SHA-256: the same picture keeps its name on a re-import, and a name says nothing else.
    return ContentFile(data, name=f"{hashlib.sha256(data).hexdigest()[:32]}.{extension}")


def encode(picture: Image.Image, save_format: str) -> bytes:
    if save_format == "JPEG":
        picture = picture.convert("RGB")
    elif picture.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
        picture = picture.convert("RGBA")
    buffer = io.BytesIO()
    # A fresh save writes only pixel data: no EXIF, no text chunks, nothing appended.
    picture.save(buffer, format=save_format, optimize=False, **({"quality": 88} if save_format == "JPEG" else {}))
    return buffer.getvalue()
