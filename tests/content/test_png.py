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


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (257, 5), (600, 40)])
def test_the_png_encoder_round_trips_noise_gradients_and_long_runs(size):
    rng = random.Random(size[0] * 1000 + size[1])
    w, h = size
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
    image = Image.frombytes("L", size, b"".join(rows))
    data = encode_png(image)
    assert chunk_types(data) == [b"IHDR", b"IDAT", b"IEND"]
    assert Image.open(io.BytesIO(data)).tobytes() == image.tobytes()
    assert encode_png(image) == data
