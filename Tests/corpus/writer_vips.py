"""Files written by libvips 8.14 (`vips tiffsave`, after `vips cast`/`linear`/`colourspace`/`arrayjoin`)."""
import subprocess

from corpus_job import Job

TOOLS = ["vips"]


def version():
    return subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()


def tiffsave(slug, kind, master, size, options=(), seed=1, prepare=None, page_height=None, more=()):
    """[vips PREPARE... MASTER tmp.v ARGS] vips tiffsave IN OUT OPTIONS.

    `prepare` is (operation, *args) turning the master into a .v image first (`cast`, `linear`,
    `colourspace`, `icc_export`); `more` adds pages (arrayjoin down, saved with --page-height).
    """
    width, height = size

    def make(ctx, path):
        steps = []
        source = ctx.masters.path(master, width, height, seed, "pnm")
        if more:
            pages = [source] + [ctx.masters.path(k, width, height, sd, "pnm") for k, sd in more]
            joined = ctx.scratch_path(f"{slug}-pages.v")
            steps.append(ctx.run(["vips", "arrayjoin", " ".join(pages), joined, "--across", "1"]))
            source = joined
        if prepare:
            operation, *args = prepare
            prepared = ctx.scratch_path(f"{slug}-prepared.v")
            steps.append(ctx.run(["vips", operation, source, prepared, *args]))
            source = prepared
        extra = ["--page-height", str(height)] if more else []
        steps.append(ctx.run(["vips", "tiffsave", source, path, *options, *extra]))
        return steps

    params = {"tiffsave": " ".join(options)}
    if prepare:
        params["prepare"] = " ".join(prepare)
    if more:
        params["pages"] = 1 + len(more)
    return Job(f"vips-{slug}.tif", "vips", "vips tiffsave", kind, make, params,
               f"{master} {width}x{height} seed {seed}")


def jobs():
    g, m, s, big = (203, 157), (300, 200), (160, 120), (513, 257)
    tiles = lambda n, *rest: ["--tile", "--tile-width", str(n), "--tile-height", str(n), *rest]
    out = []
    for name in ["none", "lzw", "deflate", "packbits", "zstd", "jpeg", "jp2k"]:
        out.append(tiffsave(f"gray8-{name}", f"gray8 strips, {name}", "gray8", g, ["--compression", name]))
    out += [
        tiffsave("gray8-lzw-nopredictor", "gray8, LZW, no predictor", "gray8", g,
                 ["--compression", "lzw", "--predictor", "none"], seed=2),
        tiffsave("gray16-deflate", "gray16, Deflate, predictor 2 (vips' default)", "gray16", g,
                 ["--compression", "deflate"]),
        tiffsave("gray16-zstd-tiled64", "gray16 64x64 tiles, ZSTD (clipped tiles)", "gray16", g,
                 ["--compression", "zstd", *tiles(64)], seed=3),
        tiffsave("float32-deflate-pred3", "float32, Deflate, predictor 3", "gray8", s,
                 ["--compression", "deflate", "--predictor", "float"], prepare=("linear", "0.006", "0.1")),
        tiffsave("float32-lzw", "float32, LZW", "gray16", s, ["--compression", "lzw"],
                 prepare=("cast", "float")),
        tiffsave("double", "float64", "gray8", s, prepare=("cast", "double")),
        tiffsave("int8", "signed 8-bit (cast char)", "gray8", s, prepare=("cast", "char")),
        tiffsave("int16-lzw", "signed 16-bit (cast short), LZW", "gray16", s, ["--compression", "lzw"],
                 prepare=("cast", "short")),
        tiffsave("int32", "signed 32-bit (cast int)", "gray16", s, prepare=("cast", "int")),
        tiffsave("uint32", "unsigned 32-bit (cast uint)", "gray16", s, prepare=("cast", "uint")),
        tiffsave("rgb8-none", "rgb8 strips", "rgb8", g),
        tiffsave("rgb8-jpeg", "rgb8, JPEG (YCbCr)", "rgb8", g, ["--compression", "jpeg", "--Q", "90"]),
        tiffsave("rgb8-jpeg-tiled64", "rgb8 64x64 tiles, JPEG", "rgb8", big, ["--compression", "jpeg", *tiles(64)]),
        tiffsave("rgb8-webp-lossless", "rgb8, WebP lossless", "rgb8", g, ["--compression", "webp", "--lossless"]),
        tiffsave("rgba8-webp", "rgba8, WebP lossy, 64x64 tiles", "rgba8", s, ["--compression", "webp", *tiles(64)]),
        tiffsave("rgba8-lzw", "rgba8 (unassociated alpha), LZW", "rgba8", g, ["--compression", "lzw"]),
        tiffsave("rgba8-premultiplied", "rgba8, associated alpha (--premultiply)", "rgba8", g, ["--premultiply"]),
        tiffsave("graya8", "gray + alpha", "graya8", g, ["--compression", "deflate"]),
        tiffsave("rgb16-lzw", "rgb16, LZW", "rgb16", s, ["--compression", "lzw"]),
        tiffsave("rgba16", "rgba16 unassociated alpha", "rgba16", s),
        tiffsave("labq", "CIELAB 8-bit (colourspace labq)", "rgb8", s, prepare=("colourspace", "labq")),
        tiffsave("labs", "CIELAB 16-bit (colourspace labs)", "rgb8", s, prepare=("colourspace", "labs")),
        tiffsave("cmyk8", "CMYK (icc_export cmyk)", "rgb8", s, prepare=("icc_export", "--output-profile", "cmyk")),
        tiffsave("bits1", "1-bit (--bitdepth 1)", "gray8", g, ["--bitdepth", "1"]),
        tiffsave("bits1-miniswhite-g4", "1-bit min-is-white, CCITT G4", "gray8", g,
                 ["--bitdepth", "1", "--miniswhite", "--compression", "ccittfax4"], seed=2),
        tiffsave("bits2", "2-bit gray", "gray8", s, ["--bitdepth", "2"]),
        tiffsave("bits4-lzw", "4-bit gray, LZW", "gray8", s, ["--bitdepth", "4", "--compression", "lzw"]),
        tiffsave("gray8-tiled16", "gray8 16x16 tiles", "gray8", g, tiles(16)),
        tiffsave("gray8-tiled64-lzw", "gray8 64x64 tiles, LZW", "gray8", m, ["--compression", "lzw", *tiles(64)]),
        tiffsave("gray8-tiled256", "gray8 256x256 tiles (larger than the image)", "gray8", g, tiles(256), seed=3),
        tiffsave("rgb8-tiled256-deflate", "rgb8 256x256 tiles, 513x257, Deflate", "rgb8", big,
                 ["--compression", "deflate", *tiles(256)]),
        tiffsave("gray8-pyramid", "gray8 64x64 tiles, pyramid in the main IFD chain", "gray8", m,
                 ["--compression", "lzw", "--pyramid", *tiles(64)], seed=4),
        tiffsave("rgb8-pyramid-subifd", "rgb8 64x64 tiles, pyramid as SubIFDs, JPEG", "rgb8", big,
                 ["--compression", "jpeg", "--pyramid", "--subifd", *tiles(64)]),
        tiffsave("gray8-bigtiff", "gray8 BigTIFF, ZSTD", "gray8", g, ["--bigtiff", "--compression", "zstd"]),
        tiffsave("multipage-gray8", "3 pages gray8 (--page-height), Deflate", "gray8", s,
                 ["--compression", "deflate"], more=[("gray8", 2), ("gray8", 3)]),
        tiffsave("multipage-rgb8-tiled", "2 pages rgb8, 32x32 tiles", "rgb8", s, tiles(32), more=[("rgb8", 2)]),
        tiffsave("gray8-1x1", "gray8 1x1", "gray8", (1, 1)),
        tiffsave("gray8-37x23-tiled16", "gray8 37x23 in 16x16 tiles", "gray8", (37, 23), tiles(16)),
        tiffsave("rgb8-57x1", "rgb8 57x1", "rgb8", (57, 1), ["--compression", "lzw"]),
    ]
    return out
