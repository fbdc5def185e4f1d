#!/usr/bin/env python3
"""pixels.py IMAGE IMAGE...: exit 0 when all images (PNG, 8-bit RGB/RGBA, not interlaced; or PPM P6 with
maxval 255) have the same size and the same RGB pixels; otherwise prints the first difference and exits 1.
Used by checks/examples-framebuffer.sh (python3 comes with the host's root the guest runs)."""
import struct
import sys
import zlib


def read_ppm(data):
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' comments allowed
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not a binary PPM with maxval 255")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + 3 * w * h]


def read_png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"PNG depth {depth} colour type {colour} interlace {interlace}: not handled")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    rgb = b"".join(bytes(r) if bpp == 3 else bytes(v for i, v in enumerate(r) if i % 4 != 3) for r in rows)
    return w, h, rgb


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return read_png(data) if data[:4] == b"\x89PNG" else read_ppm(data)


def main():
    images = [(p, load(p)) for p in sys.argv[1:]]
    first_path, (w, h, rgb) = images[0]
    for path, (w2, h2, rgb2) in images[1:]:
        if (w, h) != (w2, h2):
            print(f"{path} is {w2}x{h2}, {first_path} is {w}x{h}")
            return 1
        if rgb != rgb2:
            i = next(i for i in range(len(rgb)) if rgb[i] != rgb2[i]) // 3
            n = sum(1 for j in range(0, len(rgb), 3) if rgb[j:j + 3] != rgb2[j:j + 3])
            print(f"{path} differs from {first_path} in {n} pixels; first at ({i % w},{i // w}): "
                  f"#{rgb2[3 * i:3 * i + 3].hex()} vs #{rgb[3 * i:3 * i + 3].hex()}")
            return 1
    print(f"{len(images)} images of {w}x{h}, all pixels equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
