"""Files written by ImageMagick 6 (Debian's convert-im6.q16), from PGM/PPM/PAM masters.

Called by its full path: a `convert` earlier on PATH need not be ImageMagick.
"""
import os
import subprocess

from corpus_job import Job

CONVERT = "/usr/bin/convert-im6.q16" if os.path.exists("/usr/bin/convert-im6.q16") else "/usr/bin/convert"
TOOLS = [CONVERT]


def check():
    """None if CONVERT is ImageMagick, else what is wrong."""
    if not os.access(CONVERT, os.X_OK):
        return f"{CONVERT} not found (Debian package imagemagick)"
    out = subprocess.run([CONVERT, "-version"], capture_output=True, text=True).stdout
    return None if "ImageMagick" in out else f"{CONVERT} is not ImageMagick"


def version():
    return subprocess.run([CONVERT, "-version"], capture_output=True, text=True).stdout.splitlines()[0]


def convert(slug, kind, master, size, args=(), seed=1, prefix="", more=()):
    """convert MASTER [MORE MASTERS] ARGS [PREFIX:]OUT; `more` are (master, size, seed) of further pages."""
    width, height = size

    def make(ctx, path):
        sources = [ctx.masters.path(master, width, height, seed, "pnm")]
        sources += [ctx.masters.path(k, w, h, sd, "pnm") for k, (w, h), sd in more]
        return [ctx.run([CONVERT, *sources, *args, prefix + path])]

    params = {"args": " ".join(args)}
    if prefix:
        params["format"] = prefix.rstrip(":")
    return Job(f"im-{slug}.tif", "imagemagick", "convert-im6.q16", kind, make, params,
               f"{master} {width}x{height} seed {seed}" + (f" + {len(more)} pages" if more else ""))


def jobs():
    g, s, big = (203, 157), (160, 120), (513, 257)
    out = []
    for name, flag in [("none", "None"), ("lzw", "LZW"), ("zip", "Zip"), ("rle", "RLE"), ("jpeg", "JPEG"),
                       ("lzma", "LZMA"), ("zstd", "Zstd")]:
        extra = ["-quality", "90"] if flag == "JPEG" else []
        out.append(convert(f"gray8-{name}", f"gray8 strips, -compress {flag}", "gray8", g,
                           ["-compress", flag, *extra]))
    out += [
        convert("bilevel-fax", "bilevel, CCITT G3 (-compress Fax)", "bilevel", g, ["-compress", "Fax"]),
        convert("bilevel-group4", "bilevel, CCITT G4", "bilevel", g, ["-compress", "Group4"]),
        convert("bilevel-group4-lsb", "bilevel, CCITT G4, FillOrder 2 (lsb-to-msb)", "bilevel", s,
                ["-compress", "Group4", "-define", "tiff:fill-order=lsb"], seed=2),
        convert("bilevel-jbig", "bilevel, JBIG", "bilevel", s, ["-compress", "JBIG1"]),
        convert("bilevel-none", "bilevel 1-bit, no compression (-type Bilevel)", "bilevel", g,
                ["-type", "Bilevel", "-compress", "None"], seed=3),
        convert("gray8-lzw-pred2", "gray8, LZW, predictor 2", "gray8", g,
                ["-compress", "LZW", "-define", "tiff:predictor=2"], seed=2),
        convert("gray16-zip-pred2", "gray16, Zip, predictor 2", "gray16", g,
                ["-compress", "Zip", "-define", "tiff:predictor=2"]),
        convert("gray16-none", "gray16 strips", "gray16", s, ["-compress", "None"], seed=3),
        convert("gray4", "4-bit gray (-depth 4)", "gray8", s, ["-depth", "4", "-compress", "None"], seed=4),
        convert("gray2", "2-bit gray (-depth 2)", "gray8", s, ["-depth", "2", "-compress", "LZW"], seed=5),
        convert("rgb8-none", "rgb8 strips", "rgb8", g, ["-compress", "None"]),
        convert("rgb8-jpeg", "rgb8, JPEG", "rgb8", g, ["-compress", "JPEG", "-quality", "85"]),
        convert("rgb8-jpeg-420", "rgb8, JPEG, sampling-factor 2x2", "rgb8", s,
                ["-compress", "JPEG", "-sampling-factor", "2x2"], seed=2),
        convert("rgb8-separate-lzw", "rgb8 planar separate (-interlace Plane), LZW", "rgb8", g,
                ["-interlace", "Plane", "-compress", "LZW"]),
        convert("rgb8-tiled64-zip", "rgb8 64x64 tiles, Zip", "rgb8", big,
                ["-compress", "Zip", "-define", "tiff:tile-geometry=64x64"]),
        convert("rgb8-webp", "rgb8, WebP", "rgb8", s, ["-compress", "WebP"]),
        convert("rgba8-unassociated", "rgba8 (unassociated alpha, ImageMagick's default)", "rgba8", g,
                ["-compress", "LZW"]),
        convert("rgba8-associated", "rgba8, associated alpha (tiff:alpha=associated)", "rgba8", g,
                ["-define", "tiff:alpha=associated"]),
        convert("graya8", "gray + alpha", "graya8", g, ["-compress", "Zip"]),
        convert("rgb16-msb", "rgb16 big-endian (-endian MSB)", "rgb16", s, ["-endian", "MSB", "-compress", "None"]),
        convert("gray16-msb-lzw", "gray16 big-endian, LZW", "gray16", g, ["-endian", "MSB", "-compress", "LZW"]),
        convert("palette", "palette (-type Palette), LZW", "rgb8", g, ["-type", "Palette", "-compress", "LZW"]),
        convert("cmyk8", "CMYK (-colorspace CMYK)", "rgb8", g, ["-colorspace", "CMYK", "-compress", "None"]),
        convert("gray8-miniswhite", "gray8 min-is-white (quantum:polarity)", "gray8", g,
                ["-define", "quantum:polarity=min-is-white", "-compress", "None"]),
        convert("float32-lzw", "float32 (quantum:format=floating-point), LZW", "gray8", s,
                ["-define", "quantum:format=floating-point", "-depth", "32", "-compress", "LZW"]),
        convert("float16-zip", "float16, Zip", "gray16", s,
                ["-define", "quantum:format=floating-point", "-depth", "16", "-compress", "Zip"]),
        convert("float64-zip", "float64, Zip", "gray8", s,
                ["-define", "quantum:format=floating-point", "-depth", "64", "-compress", "Zip"]),
        convert("float32-zip-pred3", "float32, Zip, predictor 3", "gray16", s,
                ["-define", "quantum:format=floating-point", "-depth", "32", "-compress", "Zip",
                 "-define", "tiff:predictor=3"], seed=2),
        convert("uint32", "unsigned 32-bit (-depth 32)", "gray16", s, ["-depth", "32", "-compress", "None"]),
        convert("int16-signed", "signed 16-bit (quantum:format=signed)", "gray16", s,
                ["-define", "quantum:format=signed", "-depth", "16"]),
        convert("gray8-rows1", "gray8 one row per strip", "gray8", g, ["-define", "tiff:rows-per-strip=1"]),
        convert("gray8-rows16-zip", "gray8 16 rows per strip, Zip", "gray8", g,
                ["-define", "tiff:rows-per-strip=16", "-compress", "Zip"], seed=6),
        convert("gray8-tiled16", "gray8 16x16 tiles", "gray8", g, ["-define", "tiff:tile-geometry=16x16"]),
        convert("gray16-tiled256", "gray16 256x256 tiles (larger than the image), LZW", "gray16", g,
                ["-define", "tiff:tile-geometry=256x256", "-compress", "LZW"], seed=7),
        convert("gray8-jpeg-tiled32", "gray8 32x32 tiles, JPEG", "gray8", s,
                ["-define", "tiff:tile-geometry=32x32", "-compress", "JPEG"]),
        convert("gray8-bigtiff", "gray8 BigTIFF (TIFF64:), LZW", "gray8", g, ["-compress", "LZW"], prefix="TIFF64:"),
        convert("gray8-1x1", "gray8 1x1", "gray8", (1, 1)),
        convert("gray8-37x23", "gray8 37x23", "gray8", (37, 23), ["-compress", "LZW"]),
        convert("rgb8-1x57", "rgb8 1x57", "rgb8", (1, 57)),
        convert("multipage-gray8", "3 pages gray8, LZW", "gray8", s, ["-compress", "LZW"],
                more=[("gray8", s, 2), ("gray8", s, 3)]),
        convert("multipage-mixed", "3 pages of different sizes and kinds", "rgb8", g, ["-compress", "Zip"],
                more=[("gray8", s, 2), ("gray16", (37, 23), 3)]),
    ]
    # Orientation tags 2..8 (ImageMagick writes -orient as the Orientation tag, pixels untouched).
    for value, name in enumerate(["TopRight", "BottomRight", "BottomLeft", "LeftTop", "RightTop", "RightBottom",
                                  "LeftBottom"], start=2):
        out.append(convert(f"gray8-orient{value}", f"gray8 Orientation {value} ({name})", "gray8", g,
                           ["-orient", name], seed=10 + value))
    out.append(convert("rgb8-orient6", "rgb8 Orientation 6 (RightTop), LZW", "rgb8", s,
                       ["-orient", "RightTop", "-compress", "LZW"], seed=3))
    return out
