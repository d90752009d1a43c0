"""Files written by tifffile (compressed with imagecodecs)."""
import numpy as np

from corpus_job import Job, Refused
from corpus_pixels import colormap

TOOLS = []
MODULES = ["tifffile", "imagecodecs"]


def version():
    import imagecodecs
    import tifffile
    return f"tifffile {tifffile.__version__}, imagecodecs {imagecodecs.__version__}"


def write(slug, kind, master, size, options=None, seed=1, pages=None, writer=None, shape=None):
    """tifffile.imwrite(OUT, master, **options).

    `pages` (seeds) writes a stack with one TiffWriter.write per page; `writer` is TiffWriter options
    (bigtiff, byteorder, imagej, ome); `shape` reshapes the master (a (3, h, w) planar stack, say).
    """
    width, height = size
    options = dict(options or {})
    writer_options = dict(writer or {})

    def make(ctx, path):
        import tifffile

        def data(sd):
            a = ctx.masters.array(master, width, height, sd)
            return a if shape is None else shape(a)

        call = dict(options)
        call.setdefault("metadata", None)
        if call.get("colormap") == "seeded":
            call["colormap"] = colormap(seed)
        try:
            with tifffile.TiffWriter(path, **writer_options) as tif:
                for sd in pages or [seed]:
                    tif.write(data(sd), **call)
        except Exception as error:  # noqa: BLE001 - tifffile/imagecodecs refusing a kind is data
            raise Refused(f"{type(error).__name__}: {error}")
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
        writer_shown = ", ".join(f"{k}={v!r}" for k, v in writer_options.items())
        loop = f"for seed in {list(pages)}: " if pages else ""
        return [f"with TiffWriter({slug}{', ' + writer_shown if writer_shown else ''}) as tif: {loop}"
                f"tif.write(<{master} {width}x{height}>{', ' + shown if shown else ''})"]

    params = {k: (v if isinstance(v, (str, int, float, bool)) or v is None else repr(v))
              for k, v in {**writer_options, **options}.items()}
    if pages:
        params["pages"] = len(pages)
    return Job(f"tf-{slug}.tif", "tifffile", "tifffile.TiffWriter.write", kind, make, params,
               f"{master} {width}x{height} seed {seed}")


def jobs():
    g, m, s, big = (203, 157), (300, 200), (160, 120), (513, 257)
    gray = {"photometric": "minisblack"}
    rgb = {"photometric": "rgb"}
    out = []
    for name in ["none", "lzw", "zlib", "deflate", "packbits", "lzma", "zstd", "jpeg", "lerc", "jpeg2000",
                 "jpegxl", "png"]:
        comp = None if name == "none" else name
        out.append(write(f"gray8-{name}", f"gray8 strips, {name}", "gray8", g, dict(gray, compression=comp)))
    out += [
        write("rgb8-webp", "rgb8, WebP (lossless)", "rgb8", g, dict(rgb, compression="webp",
                                                                   compressionargs={"level": 100, "lossless": True})),
        write("rgb8-jpeg", "rgb8, JPEG (tifffile writes it YCbCr)", "rgb8", g, dict(rgb, compression="jpeg")),
        write("rgb8-jpeg-ycbcr", "rgb8, JPEG YCbCr 2x2", "rgb8", m,
              {"photometric": "ycbcr", "compression": "jpeg", "subsampling": (2, 2)}),
        write("rgb8-zstd-tiled64", "rgb8 64x64 tiles, ZSTD", "rgb8", big, dict(rgb, compression="zstd", tile=(64, 64))),
        # Predictors.
        write("gray8-lzw-pred2", "gray8, LZW, predictor 2", "gray8", g,
              dict(gray, compression="lzw", predictor="horizontal"), seed=2),
        write("gray16-zlib-pred2", "gray16, Deflate, predictor 2", "gray16", g,
              dict(gray, compression="zlib", predictor="horizontal")),
        write("rgb16-zstd-pred2-tiled32", "rgb16 32x32 tiles, ZSTD, predictor 2", "rgb16", s,
              dict(rgb, compression="zstd", predictor="horizontal", tile=(32, 32))),
        write("float32-zlib-pred3", "float32, Deflate, predictor 3", "float32", g,
              dict(gray, compression="zlib", predictor="floatingpoint")),
        write("float16-lzw-pred3", "float16, LZW, predictor 3", "float16", s,
              dict(gray, compression="lzw", predictor="floatingpoint")),
        write("float64-zstd-pred3-tiled16", "float64 16x16 tiles, ZSTD, predictor 3", "float64", s,
              dict(gray, compression="zstd", predictor="floatingpoint", tile=(16, 16))),
        write("float32-lerc", "float32, LERC", "float32", s, dict(gray, compression="lerc")),
        # Sample types and bit depths.
        write("bool-1bit", "bilevel 1-bit (bool)", "bilevel", g, gray),
        write("gray12-packed", "12-bit gray, packed (bitspersample=12)", "gray12", g, dict(gray, bitspersample=12)),
        write("int8", "signed 8-bit", "int8", g, gray),
        write("int16-lzw", "signed 16-bit, LZW", "int16", g, dict(gray, compression="lzw")),
        write("int32", "signed 32-bit", "int32", s, gray),
        write("uint32-zlib", "unsigned 32-bit, Deflate", "uint32", s, dict(gray, compression="zlib")),
        write("float16", "float16", "float16", s, gray),
        write("float32", "float32", "float32", s, gray),
        write("float64", "float64", "float64", s, gray),
        write("rgbf32", "RGB float32", "rgbf32", s, rgb),
        write("gray16", "gray16", "gray16", g, gray),
        write("rgb16", "rgb16", "rgb16", s, rgb, seed=2),
        # Photometric interpretations and samples.
        write("palette-lzw", "palette 8-bit, LZW", "palette", g, {"photometric": "palette", "colormap": "seeded",
                                                                  "compression": "lzw"}),
        write("miniswhite", "gray8 min-is-white", "gray8", g, {"photometric": "miniswhite"}, seed=3),
        write("cmyk8", "CMYK (separated)", "cmyk8", g, {"photometric": "separated"}),
        write("rgba8-unassoc", "rgba8 unassociated alpha", "rgba8", g, dict(rgb, extrasamples=["unassalpha"])),
        write("rgba8-assoc", "rgba8 associated alpha", "rgba8", g, dict(rgb, extrasamples=["assocalpha"])),
        write("rgba8-unspecified", "rgba8 extra sample unspecified", "rgba8", g, dict(rgb, extrasamples=["unspecified"])),
        write("rgba16-unassoc-zlib", "rgba16 unassociated alpha, Deflate", "rgba16", s,
              dict(rgb, extrasamples=["unassalpha"], compression="zlib")),
        write("graya8", "gray + unassociated alpha", "graya8", g, dict(gray, extrasamples=["unassalpha"])),
        write("bands5", "5 samples min-is-black", "bands5", s, dict(gray, planarconfig="contig")),
        write("rgb-plus2", "RGB + 2 extra samples (alpha + unspecified)", "bands5", s,
              dict(rgb, planarconfig="contig", extrasamples=["unassalpha", "unspecified"])),
        # Planar separate.
        write("rgb8-separate", "rgb8 planar separate", "rgb8", g, dict(rgb, planarconfig="separate"),
              shape=lambda a: np.moveaxis(a, -1, 0)),
        write("rgba8-separate-tiled32-lzw", "rgba8 planar separate 32x32 tiles, LZW", "rgba8", g,
              dict(rgb, planarconfig="separate", extrasamples=["unassalpha"], tile=(32, 32), compression="lzw"),
              shape=lambda a: np.moveaxis(a, -1, 0)),
        write("rgb16-separate-zstd", "rgb16 planar separate, ZSTD", "rgb16", s,
              dict(rgb, planarconfig="separate", compression="zstd"), shape=lambda a: np.moveaxis(a, -1, 0)),
        # Tiles and strips.
        write("gray8-tiled16", "gray8 16x16 tiles", "gray8", g, dict(gray, tile=(16, 16))),
        write("gray8-tiled256", "gray8 256x256 tiles (larger than the image)", "gray8", g, dict(gray, tile=(256, 256))),
        write("gray16-tiled64-clipped", "gray16 64x64 tiles, 203x157 (clipped tiles)", "gray16", g,
              dict(gray, tile=(64, 64), compression="zlib")),
        write("gray8-513x257-tiled256-lzw", "gray8 513x257 in 256x256 tiles, LZW", "gray8", big,
              dict(gray, tile=(256, 256), compression="lzw")),
        write("gray8-rows3", "gray8 3 rows per strip", "gray8", g, dict(gray, rowsperstrip=3)),
        write("gray8-1x1", "gray8 1x1", "gray8", (1, 1), gray),
        write("gray8-1x57", "gray8 1x57", "gray8", (1, 57), dict(gray, compression="packbits")),
        write("rgb8-37x23-tiled16", "rgb8 37x23 in 16x16 tiles", "rgb8", (37, 23), dict(rgb, tile=(16, 16))),
        # Orientation, byte order, BigTIFF.
        write("gray8-orient4", "gray8 Orientation 4", "gray8", g, dict(gray, extratags=[(274, "H", 1, 4, True)])),
        write("rgb8-orient7", "rgb8 Orientation 7", "rgb8", s, dict(rgb, extratags=[(274, "H", 1, 7, True)])),
        write("gray16-bigendian-lzw", "gray16 big-endian, LZW", "gray16", g, dict(gray, compression="lzw"),
              writer={"byteorder": ">"}),
        write("rgb8-bigendian-tiled64", "rgb8 big-endian 64x64 tiles", "rgb8", s, dict(rgb, tile=(64, 64)),
              writer={"byteorder": ">"}),
        write("float32-bigendian", "float32 big-endian", "float32", s, gray, writer={"byteorder": ">"}),
        write("gray8-bigtiff-zstd", "gray8 BigTIFF, ZSTD", "gray8", g, dict(gray, compression="zstd"),
              writer={"bigtiff": True}),
        write("rgb16-bigtiff-bigendian", "rgb16 BigTIFF big-endian", "rgb16", s, rgb,
              writer={"bigtiff": True, "byteorder": ">"}),
        # Stacks and pyramids.
        write("multipage-gray8", "3 pages gray8, LZW", "gray8", s, dict(gray, compression="lzw"), pages=[1, 2, 3]),
        write("multipage-gray16-tiled", "2 pages gray16 32x32 tiles", "gray16", s, dict(gray, tile=(32, 32)),
              pages=[1, 2]),
        write("imagej-gray16-stack", "ImageJ hyperstack, 3 slices gray16", "gray16", s, {},
              writer={"imagej": True}, shape=lambda a: np.stack([a, a[::-1], a[:, ::-1]])),
        write("ome-gray8", "OME-TIFF gray8, 2 planes", "gray8", s, {"photometric": "minisblack", "metadata": {}},
              writer={"ome": True}, shape=lambda a: np.stack([a, a[::-1]])),
        _pyramid(),
    ]
    return out


def _pyramid():
    """Base level with `subifds=2`, then two half-size levels as SubIFDs (tifffile's pyramid recipe)."""
    width, height = 300, 200

    def make(ctx, path):
        import tifffile
        base = ctx.masters.array("gray8", width, height, 7)
        options = dict(photometric="minisblack", tile=(64, 64), compression="zlib", metadata=None)
        try:
            with tifffile.TiffWriter(path) as tif:
                tif.write(base, subifds=2, **options)
                tif.write(base[::2, ::2], subfiletype=1, **options)
                tif.write(base[::4, ::4], subfiletype=1, **options)
        except Exception as error:  # noqa: BLE001
            raise Refused(f"{type(error).__name__}: {error}")
        return ["with TiffWriter(pyramid-subifds): write(<gray8 300x200>, subifds=2, tile=(64, 64), "
                "compression='zlib'); write(base[::2, ::2], subfiletype=1, ...); write(base[::4, ::4], ...)"]

    return Job("tf-pyramid-subifds.tif", "tifffile", "tifffile.TiffWriter.write",
               "gray8 64x64 tiles, Deflate, pyramid of 2 SubIFD levels", make,
               {"subifds": 2, "tile": "(64, 64)", "compression": "zlib"}, f"gray8 {width}x{height} seed 7")
