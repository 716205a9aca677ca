"""The deterministic PNG writer: valid PNGs of exactly the given pixels, with no metadata, byte-stable."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from quizzes.content.png import encode_png


def chunk_types(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order, each checked against its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        kinds.append(kind)
        pos += 12 + length
    return kinds


@pytest.mark.parametrize("mode", ["L", "RGB"])
@pytest.mark.parametrize("size", [(1, 1), (3, 2), (257, 5), (600, 40)])
def test_the_png_encoder_round_trips_noise_gradients_and_long_runs(size, mode):
    rng = random.Random(size[0] * 1000 + size[1])
    w, h = size[0] * len(mode), size[1]  # bytes per row, rows
    rows = []
    for y in range(h):
        kind = y % 4
        if kind == 0:
            rows.append(bytes(rng.randrange(256) for _ in range(w)))  # noise
        elif kind == 1:
            rows.append(bytes((x * 7 + y) % 256 for x in range(w)))  # horizontal ramp
        elif kind == 2:
            rows.append(bytes([rng.randrange(256)]) * w)  # one long run
        else:
            rows.append(bytes(min(255, (x + y) // 3) for x in range(w)))  # slow gradient
    image = Image.frombytes(mode, size, b"".join(rows))
    data = encode_png(image)
    assert chunk_types(data) == [b"IHDR", b"IDAT", b"IEND"]
    decoded = Image.open(io.BytesIO(data))
    assert decoded.mode == mode
    assert decoded.tobytes() == image.tobytes()
    assert encode_png(image) == data


@pytest.mark.parametrize("mode", ["RGBA", "LA", "1"])
def test_the_png_encoder_refuses_modes_it_does_not_write(mode):
    with pytest.raises(ValueError, match=f"got {mode!r}"):
        encode_png(Image.new(mode, (2, 2)))


def test_a_palette_image_is_written_with_its_palette_and_decodes_to_the_same_colours():
    image = Image.frombytes("P", (5, 2), bytes([0, 1, 2, 2, 2, 1, 1, 0, 0, 2]))
    image.putpalette([0, 0, 0, 200, 30, 20, 128, 128, 128])
    data = encode_png(image)
    assert chunk_types(data) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    decoded = Image.open(io.BytesIO(data))
    assert decoded.convert("RGB").tobytes() == image.convert("RGB").tobytes()
