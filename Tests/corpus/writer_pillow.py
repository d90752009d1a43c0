"""Files written by Pillow (its own TIFF writer uncompressed, libtiff through Pillow when compressed)."""
import numpy as np

from corpus_job import Job, Refused

TOOLS = []
MODULES = ["PIL"]


def version():
    import PIL
    return f"Pillow {PIL.__version__}"


def image(a, mode):
    """A PIL image of the master array in `mode` (Pillow's own conversions for P, YCbCr, LAB, CMYK...)."""
    from PIL import Image

    if mode == "I;16B":
        return Image.frombytes("I;16B", (a.shape[1], a.shape[0]), a.astype(">u2").tobytes())
    if mode == "I":
        return Image.fromarray(a.astype(np.int32))
    if mode == "CMYK":
        return Image.frombytes("CMYK", (a.shape[1], a.shape[0]), a.tobytes())
    if mode in ("YCbCr", "LAB", "HSV"):
        return Image.fromarray(a).convert(mode)
    if mode == "P":
        return Image.fromarray(a).quantize(colors=64, dither=Image.Dither.NONE)
    return Image.fromarray(a)


def save(slug, kind, master, size, mode, options=None, seed=1, more=()):
    """Image.fromarray(master) [converted to `mode`].save(OUT, **options); `more` adds pages (save_all)."""
    width, height = size
    options = dict(options or {})

    def make(ctx, path):
        first = image(ctx.masters.array(master, width, height, seed), mode)
        extra = dict(options)
        if more:
            extra.update(save_all=True, append_images=[image(ctx.masters.array(master, width, height, sd), mode)
                                                       for sd in more])
        try:
            first.save(path, format="TIFF", **extra)
        except Exception as error:  # noqa: BLE001 - Pillow's refusal (OSError, ValueError, KeyError...) is data
            raise Refused(f"{type(error).__name__}: {error}")
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
        pages = f" + pages seeds {list(more)} (save_all)" if more else ""
        return [f"Image.fromarray(<{master} {width}x{height} seed {seed}>) as {mode}{pages}"
                f".save({slug}, format='TIFF'{', ' + shown if shown else ''})"]

    params = dict(options, mode=mode)
    if more:
        params["pages"] = 1 + len(more)
    return Job(f"pil-{slug}.tif", "pillow", "PIL.Image.save", kind, make,
               {k: (v if isinstance(v, (str, int, float, bool)) else repr(v)) for k, v in params.items()},
               f"{master} {width}x{height} seed {seed}")


def jobs():
    g, s = (203, 157), (160, 120)
    out = []
    for name in ["raw", "tiff_lzw", "tiff_adobe_deflate", "tiff_deflate", "packbits", "jpeg", "lzma", "zstd"]:
        out.append(save(f"L-{name}", f"gray8 (mode L), compression {name}", "gray8", g, "L",
                        {"compression": name}))
    out += [
        save("RGB-raw", "rgb8, Pillow's own writer", "rgb8", g, "RGB"),
        save("RGB-lzw", "rgb8, LZW", "rgb8", g, "RGB", {"compression": "tiff_lzw"}, seed=2),
        save("RGB-jpeg", "rgb8, JPEG quality 90", "rgb8", g, "RGB", {"compression": "jpeg", "quality": 90}),
        # Pillow's wheels bundle a libtiff without WebP: this one is recorded as skipped there.
        save("RGB-webp", "rgb8, WebP", "rgb8", s, "RGB", {"compression": "webp"}),
        save("RGB-zstd", "rgb8, ZSTD", "rgb8", s, "RGB", {"compression": "zstd"}),
        save("RGBA-raw", "rgba8 (unassociated alpha)", "rgba8", g, "RGBA"),
        save("RGBA-deflate", "rgba8, Deflate", "rgba8", g, "RGBA", {"compression": "tiff_adobe_deflate"}),
        save("LA", "gray + alpha (mode LA)", "graya8", g, "LA"),
        save("P", "palette (quantize 64)", "rgb8", g, "P"),
        save("P-lzw", "palette, LZW", "rgb8", s, "P", {"compression": "tiff_lzw"}, seed=3),
        save("1-raw", "bilevel (mode 1)", "bilevel", g, "1"),
        save("1-group4", "bilevel, CCITT G4", "bilevel", g, "1", {"compression": "group4"}, seed=2),
        save("1-group3", "bilevel, CCITT G3", "bilevel", g, "1", {"compression": "group3"}, seed=3),
        save("1-ccitt", "bilevel, CCITT RLE (tiff_ccitt)", "bilevel", s, "1", {"compression": "tiff_ccitt"}),
        save("I16", "gray16 little-endian (mode I;16)", "gray16", g, "I;16"),
        save("I16B", "gray16 big-endian (mode I;16B)", "gray16", g, "I;16B", seed=2),
        save("I16-lzw", "gray16, LZW", "gray16", s, "I;16", {"compression": "tiff_lzw"}),
        save("I", "signed 32-bit (mode I)", "int32", s, "I"),
        save("F", "float32 (mode F)", "float32", s, "F"),
        save("F-deflate", "float32, Deflate", "float32", s, "F", {"compression": "tiff_adobe_deflate"}, seed=2),
        save("CMYK", "CMYK", "cmyk8", g, "CMYK"),
        save("YCbCr", "YCbCr, uncompressed", "rgb8", g, "YCbCr"),
        save("LAB", "CIELAB 8-bit (mode LAB)", "rgb8", s, "LAB"),
        save("L-orient3", "gray8 Orientation 3", "gray8", g, "L", {"tiffinfo": {274: 3}}, seed=4),
        save("RGB-orient8", "rgb8 Orientation 8", "rgb8", s, "RGB", {"tiffinfo": {274: 8}}, seed=4),
        save("L-strips1k", "gray8 strips of 1 KiB (strip_size)", "gray8", g, "L",
             {"strip_size": 1024, "compression": "tiff_lzw"}, seed=5),
        save("L-bigtiff", "gray8 BigTIFF", "gray8", g, "L", {"big_tiff": True}, seed=6),
        save("L-1x1", "gray8 1x1", "gray8", (1, 1), "L"),
        save("L-37x23", "gray8 37x23, packbits", "gray8", (37, 23), "L", {"compression": "packbits"}),
        save("RGB-1x57", "rgb8 1x57", "rgb8", (1, 57), "RGB"),
        save("multipage-L", "3 pages gray8", "gray8", s, "L", more=(2, 3)),
        save("multipage-RGB-lzw", "2 pages rgb8, LZW", "rgb8", s, "RGB", {"compression": "tiff_lzw"}, more=(2,)),
    ]
    return out
