"""Files written by GDAL 3.6's GTiff and COG drivers (`gdal_translate`, `gdaladdo`), from tifffile masters."""
import subprocess

from corpus_job import Job

TOOLS = ["gdal_translate", "gdaladdo"]


def version():
    return subprocess.run(["gdal_translate", "--version"], capture_output=True, text=True).stdout.strip()


def _options(spec):
    """'COMPRESS=LZW TILED=YES' -> ['-co', 'COMPRESS=LZW', '-co', 'TILED=YES']."""
    argv = []
    for item in spec.split():
        argv += ["-co", item]
    return argv


def _params(spec, extra):
    params = dict(item.split("=", 1) for item in spec.split())
    if extra:
        params["gdal_translate"] = " ".join(extra)
    return params


def translate(slug, kind, master, size, spec="", extra=(), seed=1, driver="GTiff", overviews=None):
    """gdal_translate MASTER -of DRIVER -co ... [EXTRA] OUT, then optionally gdaladdo OUT LEVELS."""
    width, height = size

    def make(ctx, path):
        source = ctx.masters.path(master, width, height, seed)
        steps = [ctx.run(["gdal_translate", "-q", "-of", driver, *extra, *_options(spec), source, path])]
        if overviews:
            resampling, levels = overviews
            steps.append(ctx.run(["gdaladdo", "-q", "-r", resampling, path, *levels.split()]))
        return steps

    params = _params(spec, list(extra))
    if driver != "GTiff":
        params["driver"] = driver
    if overviews:
        params["gdaladdo"] = f"-r {overviews[0]} {overviews[1]}"
    tool = "gdal_translate + gdaladdo" if overviews else "gdal_translate"
    return Job(f"gdal-{slug}.tif", "gdal", tool, kind, make, params, f"{master} {width}x{height} seed {seed}")


def jobs():
    g, m, s, big = (203, 157), (300, 200), (160, 120), (513, 257)
    tiles = lambda n, rest="": f"TILED=YES BLOCKXSIZE={n} BLOCKYSIZE={n} {rest}".strip()
    out = []
    # Every compression GDAL offers, on 8-bit gray strips.
    for name in ["NONE", "LZW", "DEFLATE", "PACKBITS", "ZSTD", "LZMA", "LERC", "LERC_DEFLATE", "LERC_ZSTD",
                 "JPEG", "WEBP", "JXL"]:
        out.append(translate(f"gray8-{name.lower()}", f"gray8 strips, {name}", "gray8", g, f"COMPRESS={name}"))
    out += [
        # Predictors: 2 (horizontal) on integers, 3 (floating point) on floats.
        translate("gray8-lzw-pred2", "gray8 strips, LZW, predictor 2", "gray8", g, "COMPRESS=LZW PREDICTOR=2"),
        translate("gray16-deflate-pred2", "gray16 strips, Deflate, predictor 2", "gray16", g,
                  "COMPRESS=DEFLATE PREDICTOR=2", seed=2),
        translate("rgb8-zstd-pred2", "rgb8 strips, ZSTD, predictor 2", "rgb8", g, "COMPRESS=ZSTD PREDICTOR=2"),
        translate("gray16-lzma-pred2", "gray16 strips, LZMA, predictor 2", "gray16", s,
                  "COMPRESS=LZMA PREDICTOR=2", seed=3),
        translate("float32-deflate-pred3", "float32 strips, Deflate, predictor 3", "float32", g,
                  "COMPRESS=DEFLATE PREDICTOR=3"),
        translate("float64-lzw-pred3", "float64 strips, LZW, predictor 3", "float64", s, "COMPRESS=LZW PREDICTOR=3"),
        translate("float32-zstd-pred3-tiled64", "float32 64x64 tiles, ZSTD, predictor 3", "float32", m,
                  tiles(64, "COMPRESS=ZSTD PREDICTOR=3")),
        # Colour: JPEG (YCbCr and RGB), WebP, planar separate, alpha flavours, CMYK, palette, extra bands.
        translate("rgb8-none", "rgb8 strips, no compression", "rgb8", g),
        translate("rgb8-jpeg-ycbcr", "rgb8 strips, JPEG, YCbCr 2x2", "rgb8", m, "COMPRESS=JPEG PHOTOMETRIC=YCBCR"),
        translate("rgb8-jpeg-ycbcr-tiled64", "rgb8 64x64 tiles, JPEG, YCbCr", "rgb8", big,
                  tiles(64, "COMPRESS=JPEG PHOTOMETRIC=YCBCR JPEG_QUALITY=90")),
        translate("rgb8-jpeg-rgb", "rgb8 strips, JPEG, photometric RGB", "rgb8", g, "COMPRESS=JPEG PHOTOMETRIC=RGB"),
        translate("rgb8-webp-lossless", "rgb8 strips, WebP lossless", "rgb8", g, "COMPRESS=WEBP WEBP_LOSSLESS=TRUE"),
        translate("rgba8-webp-lossy", "rgba8 (unassociated) 32x32 tiles, WebP lossy", "rgba8", s,
                  tiles(32, "COMPRESS=WEBP WEBP_LEVEL=80")),
        translate("rgb8-separate-lzw", "rgb8 planar separate strips, LZW", "rgb8", g, "INTERLEAVE=BAND COMPRESS=LZW"),
        translate("rgba8-separate-tiled32", "rgba8 planar separate 32x32 tiles, Deflate", "rgba8", g,
                  tiles(32, "INTERLEAVE=BAND COMPRESS=DEFLATE ALPHA=YES")),
        translate("rgba8-unassociated", "rgba8 strips, unassociated alpha", "rgba8", g, "ALPHA=YES"),
        translate("rgba8-premultiplied", "rgba8 strips, associated (premultiplied) alpha", "rgba8", g,
                  "ALPHA=PREMULTIPLIED"),
        translate("rgba8-unspecified", "rgba8 strips, extra sample unspecified", "rgba8", g, "ALPHA=UNSPECIFIED"),
        translate("graya8-alpha", "gray8 + unassociated alpha, LZW", "graya8", g, "ALPHA=YES COMPRESS=LZW"),
        translate("bands5-minisblack", "5 bands min-is-black (4 extra samples)", "bands5", s, "PHOTOMETRIC=MINISBLACK"),
        translate("rgb8-as-minisblack", "3 bands photometric min-is-black", "rgb8", s, "PHOTOMETRIC=MINISBLACK"),
        translate("cmyk8", "CMYK 8-bit strips", "cmyk8", g, "PHOTOMETRIC=CMYK"),
        translate("gray8-miniswhite", "gray8 photometric min-is-white", "gray8", g, "PHOTOMETRIC=MINISWHITE"),
        translate("palette8-lzw", "palette 8-bit, LZW", "palette", g, "COMPRESS=LZW"),
        translate("rgb16-deflate", "rgb16 strips, Deflate", "rgb16", g, "COMPRESS=DEFLATE"),
        translate("rgba16-tiled64", "rgba16 unassociated alpha, 64x64 tiles", "rgba16", s, tiles(64, "ALPHA=YES")),
        # Bit depths GDAL packs (NBITS) and sample types.
        translate("bits1", "1-bit min-is-black (NBITS=1)", "bits1", g, "NBITS=1"),
        translate("bits2", "2-bit min-is-black (NBITS=2)", "bits2", g, "NBITS=2"),
        translate("bits4-tiled16", "4-bit min-is-black 16x16 tiles (NBITS=4)", "bits4", g, tiles(16, "NBITS=4")),
        translate("gray12-lzw", "12-bit gray (NBITS=12), LZW", "gray12", g, "NBITS=12 COMPRESS=LZW"),
        translate("gray12-jpeg", "12-bit JPEG (NBITS=12)", "gray12", g, "NBITS=12 COMPRESS=JPEG"),
        translate("int8", "signed 8-bit (PIXELTYPE=SIGNEDBYTE)", "int8", g, "PIXELTYPE=SIGNEDBYTE"),
        translate("int16", "signed 16-bit", "int16", g),
        translate("int32-lzw", "signed 32-bit, LZW", "int32", s, "COMPRESS=LZW"),
        translate("uint32", "unsigned 32-bit", "uint32", s),
        translate("float32", "float32 strips", "float32", s),
        translate("float64-tiled32", "float64 32x32 tiles", "float64", s, tiles(32)),
        translate("float16", "float16 (Float32 with NBITS=16)", "float32", s, "NBITS=16", seed=4),
        # Tiles of several sizes, larger than the image, and sizes that are not multiples of the tile.
        translate("gray8-tiled16-lzw", "gray8 16x16 tiles, LZW, 203x157", "gray8", g, tiles(16, "COMPRESS=LZW")),
        translate("gray8-tiled64", "gray8 64x64 tiles, 300x200", "gray8", m, tiles(64), seed=5),
        translate("gray8-tiled256", "gray8 256x256 tiles (larger than the image)", "gray8", g, tiles(256)),
        translate("gray16-tiled64-zstd", "gray16 64x64 tiles, ZSTD, 203x157 (clipped tiles)", "gray16", g,
                  tiles(64, "COMPRESS=ZSTD")),
        translate("gray16-tiled32-exact", "gray16 32x32 tiles, 160x120 (whole tiles across)", "gray16", s,
                  tiles(32, "COMPRESS=LZW")),
        translate("rgb8-tiled256-deflate", "rgb8 256x256 tiles, Deflate, 513x257", "rgb8", big,
                  tiles(256, "COMPRESS=DEFLATE")),
        translate("gray8-513x257-tiled256", "gray8 256x256 tiles, 513x257", "gray8", big, tiles(256)),
        translate("gray8-tiles16x48", "gray8 16x48 tiles (not square)", "gray8", g,
                  "TILED=YES BLOCKXSIZE=16 BLOCKYSIZE=48 COMPRESS=PACKBITS"),
        # Strip heights.
        translate("gray8-rows1", "gray8 one row per strip", "gray8", g, "BLOCKYSIZE=1"),
        translate("rgb8-rows7-lzw", "rgb8 7 rows per strip, LZW", "rgb8", g, "BLOCKYSIZE=7 COMPRESS=LZW"),
        translate("gray16-rows64", "gray16 64 rows per strip", "gray16", g, "BLOCKYSIZE=64"),
        # Odd sizes.
        translate("gray8-1x1", "gray8 1x1", "gray8", (1, 1)),
        translate("gray8-1x57", "gray8 1 pixel wide, 57 high", "gray8", (1, 57), "COMPRESS=LZW"),
        translate("rgb8-57x1", "rgb8 57 wide, 1 high", "rgb8", (57, 1)),
        translate("gray8-37x23-tiled16", "gray8 37x23 in 16x16 tiles", "gray8", (37, 23), tiles(16)),
        # Containers: BigTIFF and big-endian.
        translate("gray8-bigtiff-lzw", "gray8 BigTIFF, LZW", "gray8", g, "BIGTIFF=YES COMPRESS=LZW"),
        translate("gray16-bigendian", "gray16 big-endian (MM)", "gray16", g, "ENDIANNESS=BIG"),
        translate("rgb16-bigendian-tiled32", "rgb16 big-endian 32x32 tiles, Deflate, predictor 2", "rgb16", s,
                  tiles(32, "ENDIANNESS=BIG COMPRESS=DEFLATE PREDICTOR=2")),
        translate("rgb8-bigtiff-tiled64", "rgb8 BigTIFF 64x64 tiles", "rgb8", m, tiles(64, "BIGTIFF=YES")),
    ]
    # Sparse files: SPARSE_OK=TRUE omits blocks that are all zero (offset and byte count 0).
    sparse = "SPARSE_OK=TRUE"
    out += [
        translate("sparse-zeros8-strips", "sparse, all zero, gray8 strips", "zeros8", g, sparse),
        translate("sparse-zeros8-tiled32", "sparse, all zero, gray8 32x32 tiles", "zeros8", g, tiles(32, sparse)),
        translate("sparse-zeros8-tiled32-lzw", "sparse, all zero, gray8 32x32 tiles, LZW", "zeros8", g,
                  tiles(32, sparse + " COMPRESS=LZW")),
        translate("sparse-zeros16-strips", "sparse, all zero, gray16 strips", "zeros16", s, sparse),
        translate("sparse-zerosrgb8-tiled64", "sparse, all zero, rgb8 64x64 tiles", "zerosrgb8", s,
                  tiles(64, sparse)),
        translate("sparse-rowzero8-rows16", "sparse, zero 32-row bands, gray8 16-row strips", "rowzero8", g,
                  "BLOCKYSIZE=16 " + sparse),
        translate("sparse-rowzero8-rows16-deflate", "sparse, zero bands, gray8 16-row strips, Deflate", "rowzero8", g,
                  "BLOCKYSIZE=16 COMPRESS=DEFLATE " + sparse),
        translate("sparse-rowzero16-rows8", "sparse, zero bands, gray16 8-row strips", "rowzero16", g,
                  "BLOCKYSIZE=8 " + sparse),
        translate("sparse-rowzerorgb8-separate", "sparse, zero bands, rgb8 planar separate 16-row strips, LZW",
                  "rowzerorgb8", g, "BLOCKYSIZE=16 INTERLEAVE=BAND COMPRESS=LZW " + sparse),
        translate("sparse-tilezero8-tiled32", "sparse, zero squares, gray8 32x32 tiles", "tilezero8", g,
                  tiles(32, sparse)),
        translate("sparse-tilezero8-tiled16-lzw", "sparse, zero squares, gray8 16x16 tiles, LZW", "tilezero8", g,
                  tiles(16, sparse + " COMPRESS=LZW")),
        translate("sparse-tilezero16-tiled32-deflate", "sparse, zero squares, gray16 32x32 tiles, Deflate",
                  "tilezero16", s, tiles(32, sparse + " COMPRESS=DEFLATE")),
        translate("sparse-tilezerorgb8-tiled32", "sparse, zero squares, rgb8 32x32 tiles", "tilezerorgb8", g,
                  tiles(32, sparse)),
        # The same with the first block present and later ones omitted.
        translate("sparse-rowgap8-rows16", "sparse, first strip present, zero 32-row bands later, gray8 16-row strips",
                  "rowgap8", g, "BLOCKYSIZE=16 " + sparse),
        translate("sparse-rowgap8-rows16-lzw", "sparse, first strip present, later bands zero, gray8 strips, LZW",
                  "rowgap8", g, "BLOCKYSIZE=16 COMPRESS=LZW " + sparse),
        translate("sparse-rowgaprgb8-rows32", "sparse, first strip present, later bands zero, rgb8 32-row strips",
                  "rowgaprgb8", g, "BLOCKYSIZE=32 " + sparse),
        translate("sparse-tilegap8-tiled32", "sparse, first tile present, later squares zero, gray8 32x32 tiles",
                  "tilegap8", g, tiles(32, sparse)),
        translate("sparse-tilegap16-tiled32-zstd", "sparse, first tile present, later squares zero, gray16 tiles, ZSTD",
                  "tilegap16", g, tiles(32, sparse + " COMPRESS=ZSTD")),
        translate("sparse-tilezero8-tiled32-overviews", "sparse, zero squares, gray8 32x32 tiles, with overviews",
                  "tilezero8", m, tiles(32, sparse), overviews=("nearest", "2 4")),
    ]
    # Overviews (reduced-resolution IFDs after page 0) and Cloud-Optimized GeoTIFF.
    out += [
        translate("gray8-tiled64-overviews", "gray8 64x64 tiles, LZW, internal overviews 2 4", "gray8", m,
                  tiles(64, "COMPRESS=LZW"), overviews=("average", "2 4")),
        translate("rgb8-overviews", "rgb8 strips, internal overviews 2 4 8", "rgb8", m, overviews=("average", "2 4 8")),
        translate("cog-gray8-deflate", "COG gray8 Deflate, 64x64 blocks with overviews", "gray8", m,
                  "COMPRESS=DEFLATE BLOCKSIZE=64", driver="COG", seed=6),
        translate("cog-rgb8-jpeg", "COG rgb8 JPEG, 64x64 blocks with overviews", "rgb8", m,
                  "COMPRESS=JPEG BLOCKSIZE=64", driver="COG", seed=6),
        translate("cog-gray16-lzw", "COG gray16 LZW predictor 2", "gray16", big,
                  "COMPRESS=LZW PREDICTOR=YES BLOCKSIZE=128", driver="COG"),
    ]
    return out
