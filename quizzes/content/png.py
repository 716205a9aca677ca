"""A deterministic PNG writer: the same pixels give the same bytes on every machine.

Pillow's ``Image.save`` compresses PNG data with whatever zlib the machine provides (zlib, zlib-ng,
Apple's zlib...), and those produce different, equally valid, bytes. The bundled schematics are
committed and compared byte for byte with a fresh drawing, so they are written here instead: only the
IHDR, IDAT and IEND chunks (no text, time or other metadata), compressed with a small deflate coder of
our own, so the bytes depend on the pixels alone.
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib
from collections.abc import Sequence

from PIL import Image, ImageChops

__all__ = ["encode_png"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Deflate length codes (RFC 1951, 3.2.5): base length and number of extra bits of symbols 257..285.
_LENGTH_BASE = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    13,
    15,
    17,
    19,
    23,
    27,
    31,
    35,
    43,
    51,
    59,
    67,
    83,
    99,
    115,
    131,
    163,
    195,
    227,
    258,
)
_LENGTH_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)
# Order in which the code-length code lengths are sent (RFC 1951, 3.2.7).
_CL_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
_MAX_MATCH = 258


def _length_symbol(length: int) -> tuple[int, int, int]:
    """(symbol, number of extra bits, extra value) of a match length 3..258."""
    if length == _MAX_MATCH:
        return 285, 0, 0
    index = max(i for i, base in enumerate(_LENGTH_BASE[:-1]) if base <= length)
    return 257 + index, _LENGTH_EXTRA[index], length - _LENGTH_BASE[index]


_LENGTH_SYMBOLS = {length: _length_symbol(length) for length in range(3, _MAX_MATCH + 1)}


def _huffman_lengths(freqs: Sequence[int], max_bits: int) -> list[int]:
    """Code lengths of a Huffman code for ``freqs``, no longer than ``max_bits`` (deterministic)."""
    freqs = list(freqs)
    while True:
        lengths = [0] * len(freqs)
        used = [i for i, f in enumerate(freqs) if f]
        if len(used) == 1:
            lengths[used[0]] = 1
            return lengths
        heap = [(freqs[i], i, [i]) for i in used]
        heapq.heapify(heap)
        order = len(freqs)
        while len(heap) > 1:
            w1, _, s1 = heapq.heappop(heap)
            w2, _, s2 = heapq.heappop(heap)
            for sym in s1 + s2:
                lengths[sym] += 1
            heapq.heappush(heap, (w1 + w2, order, s1 + s2))
            order += 1
        if max(lengths) <= max_bits:
            return lengths
        freqs = [(f + 1) // 2 if f else 0 for f in freqs]  # flatten the distribution and retry


def _canonical_codes(lengths: Sequence[int]) -> list[str]:
    """Canonical Huffman codes (RFC 1951, 3.2.2) as bit strings in stream order."""
    max_len = max(lengths)
    bl_count = [0] * (max_len + 1)
    for n in lengths:
        if n:
            bl_count[n] += 1
    next_code = [0] * (max_len + 2)
    code = 0
    for bits in range(1, max_len + 1):
        code = (code + bl_count[bits - 1]) << 1
        next_code[bits] = code
    codes = [""] * len(lengths)
    for sym, n in enumerate(lengths):
        if n:
            codes[sym] = format(next_code[n], f"0{n}b")  # Huffman codes go most significant bit first
            next_code[n] += 1
    return codes


def _bits(value: int, count: int) -> str:
    """A plain (non-Huffman) field of ``count`` bits in stream order (least significant bit first)."""
    return format(value, f"0{count}b")[::-1] if count else ""


def _encode_code_lengths(seq: Sequence[int]) -> list[tuple[int, int, int]]:
    """Run-length encode code lengths with the code-length alphabet: (symbol, extra bits, extra value)."""
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(seq):
        value = seq[i]
        j = i
        while j < len(seq) and seq[j] == value:
            j += 1
        run = j - i
        if value == 0:
            while run >= 11:
                n = min(run, 138)
                out.append((18, 7, n - 11))
                run -= n
            if run >= 3:
                out.append((17, 3, run - 3))
                run = 0
            out.extend([(0, 0, 0)] * run)
        else:
            out.append((value, 0, 0))
            run -= 1
            while run >= 3:
                n = min(run, 6)
                out.append((16, 2, n - 3))
                run -= n
            out.extend([(value, 0, 0)] * run)
        i = j
    return out


_RUN = re.compile(rb"(.)\1*", re.DOTALL)


def _deflate(data: bytes) -> bytes:
    """A zlib stream of ``data``: one dynamic-Huffman deflate block whose matches are byte runs.

    Runs (matches at distance 1) suit filtered scanlines of drawn images well. The output depends
    only on ``data``; it is valid deflate that any inflater reads.
    """
    # Tokens: a run of n equal bytes is one literal then matches of up to 258 at distance 1.
    lit_freq = [0] * 286
    runs: list[tuple[int, int]] = []
    for m in _RUN.finditer(data):
        value = data[m.start()]
        run = m.end() - m.start()
        runs.append((value, run))
        lit_freq[value] += 1
        rest = run - 1
        while rest >= 3:
            n = min(rest, _MAX_MATCH)
            lit_freq[_LENGTH_SYMBOLS[n][0]] += 1
            rest -= n
        lit_freq[value] += rest
    lit_freq[256] = 1  # end of block

    lit_lengths = _huffman_lengths(lit_freq, 15)
    lit_codes = _canonical_codes(lit_lengths)
    dist_lengths = [1]  # only distance code 0 (distance 1) is used: a single one-bit code
    dist_code = "0"

    hlit = max(257, max(i for i, n in enumerate(lit_lengths) if n) + 1)
    cl_tokens = _encode_code_lengths(lit_lengths[:hlit] + dist_lengths)
    cl_freq = [0] * 19
    for sym, _, _ in cl_tokens:
        cl_freq[sym] += 1
    cl_lengths = _huffman_lengths(cl_freq, 7)
    cl_codes = _canonical_codes(cl_lengths)
    hclen = 19
    while hclen > 4 and cl_lengths[_CL_ORDER[hclen - 1]] == 0:
        hclen -= 1

    parts = ["1", _bits(2, 2), _bits(hlit - 257, 5), _bits(len(dist_lengths) - 1, 5), _bits(hclen - 4, 4)]
    parts.extend(_bits(cl_lengths[sym], 3) for sym in _CL_ORDER[:hclen])
    parts.extend(cl_codes[sym] + _bits(extra, nbits) for sym, nbits, extra in cl_tokens)

    match_bits = {}
    for n, (sym, nbits, extra) in _LENGTH_SYMBOLS.items():
        match_bits[n] = lit_codes[sym] + _bits(extra, nbits) + dist_code if lit_codes[sym] else ""
    full_match = match_bits[_MAX_MATCH]
    for value, run in runs:
        literal = lit_codes[value]
        parts.append(literal)
        rest = run - 1
        if rest >= _MAX_MATCH:
            parts.append(full_match * (rest // _MAX_MATCH))
            rest %= _MAX_MATCH
        if rest >= 3:
            parts.append(match_bits[rest])
            rest = 0
        if rest:
            parts.append(literal * rest)
    parts.append(lit_codes[256])

    stream = "".join(parts)
    stream += "0" * (-len(stream) % 8)
    body = int(stream[::-1], 2).to_bytes(len(stream) // 8, "little") if stream else b""
    return b"\x78\x01" + body + struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF)


def _filtered_scanlines(image: Image.Image) -> bytes:
    """PNG scanlines, each with the filter (None, Sub, Up or Average) that minimises its residuals.

    Pillow's channel operations work band by band, so shifting the whole image by one pixel gives each
    byte its PNG "left" neighbour (the same channel of the previous pixel) in greyscale and RGB alike.
    """
    width, height = image.size
    channels = len(image.getbands())
    black = Image.new(image.mode, image.size, 0)
    left = black.copy()
    left.paste(image.crop((0, 0, width - 1, height)), (1, 0))
    up = black.copy()
    up.paste(image.crop((0, 0, width, height - 1)), (0, 1))
    average = ImageChops.add(left, up, scale=2.0)  # floor((left + up) / 2), as the Average filter wants
    candidates = [
        image,
        ImageChops.subtract_modulo(image, left),
        ImageChops.subtract_modulo(image, up),
        ImageChops.subtract_modulo(image, average),
    ]
    raw = [c.tobytes() for c in candidates]
    weight = [min(v, 256 - v) for v in range(256)] * channels  # the histogram lists each band in turn
    stride = width * channels
    out = bytearray()
    for y in range(height):
        best, best_cost = 0, None
        for f, candidate in enumerate(candidates):
            hist = candidate.crop((0, y, width, y + 1)).histogram()
            cost = sum(map(int.__mul__, hist, weight))
            if best_cost is None or cost < best_cost:
                best, best_cost = f, cost
        out.append(best)
        out += raw[best][y * stride : (y + 1) * stride]
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# PNG colour types of the image modes written here: 8-bit greyscale, 8-bit palette, 8-bit truecolour.
# A palette image with mostly grey entries keeps a colour picture as small as a greyscale one: its
# one byte per pixel compresses like grey, where three bytes of RGB would not.
_COLOUR_TYPES = {"L": 0, "P": 3, "RGB": 2}


def encode_png(image: Image.Image) -> bytes:
    """Deterministic PNG bytes of an ``L``, ``P`` or ``RGB`` image: IHDR, PLTE for a palette image, one
    IDAT, IEND; no metadata of any kind."""
    if image.mode not in _COLOUR_TYPES:
        raise ValueError(f"expected an 'L', 'P' or 'RGB' image, got {image.mode!r}")
    width, height = image.size
    ihdr = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[image.mode], 0, 0, 0)  # no interlace
    chunks = [_chunk(b"IHDR", ihdr)]
    if image.mode == "P":
        entries = image.getextrema()[1] + 1
        chunks.append(_chunk(b"PLTE", bytes(image.getpalette("RGB")[: 3 * entries])))
    idat = _deflate(_filtered_scanlines(image))
    return _PNG_SIGNATURE + b"".join(chunks) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
