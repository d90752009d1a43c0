"""Files written by the libtiff 4.5 tools: tiffcp, raw2tiff, ppm2tiff, tiff2bw, tiffcrop, tiffset, tiffmedian,
tiffdither, pal2rgb, tiff2rgba and fax2tiff (from tifffile masters, raw samples, PGM/PPM or raw fax data)."""
import os
import subprocess

from corpus_job import Job, Refused

TOOLS = ["tiffcp", "raw2tiff", "ppm2tiff", "tiff2bw", "tiffcrop", "tiffset", "tiffmedian", "tiffdither", "pal2rgb",
         "tiff2rgba", "fax2tiff"]


def version():
    out = subprocess.run(["tiffcp"], capture_output=True, text=True)
    return (out.stdout + out.stderr).splitlines()[0]


def tool(program, slug, kind, master, size, args=(), seed=1, ext="tif", more=(), after=None):
    """PROGRAM ARGS MASTER [MORE...] OUT, then optionally AFTER (argv with OUT appended), e.g. tiffset."""
    width, height = size

    def make(ctx, path):
        sources = [ctx.masters.path(master, width, height, seed, ext)]
        sources += [ctx.masters.path(k, w, h, sd, ext) for k, (w, h), sd in more]
        if program == "raw2tiff":
            steps = [ctx.run([program, *args, sources[0], path])]
        else:
            steps = [ctx.run([program, *args, *sources, path])]
        if after:
            steps.append(ctx.run([*after, path]))
        return steps

    params = {"args": " ".join(args)}
    if after:
        params["then"] = " ".join(after)
    return Job(f"lt-{slug}.tif", "libtiff", program + (f" + {after[0]}" if after else ""), kind, make, params,
               f"{master} {width}x{height} seed {seed}" + (f" + {len(more)} pages" if more else ""))


def raw(slug, kind, master, size, dtype, args=(), seed=1):
    """raw2tiff -w W -l H -d DTYPE ARGS MASTER.raw OUT (little-endian samples, pixel interleaved)."""
    width, height = size
    return tool("raw2tiff", slug, kind, master, size, ["-w", str(width), "-l", str(height), "-d", dtype, *args],
                seed, ext="raw")


def fax(slug, kind, size, encode, decode, seed=1):
    """Raw CCITT data (the one strip of `tiffcp -c ENCODE` of a bilevel master) made a TIFF by fax2tiff."""
    width, height = size

    def make(ctx, path):
        import tifffile

        source = ctx.masters.path("bilevel", width, height, seed)
        encoded = ctx.scratch_path(f"{slug}-encoded.tif")
        steps = [ctx.run(["tiffcp", "-c", encode, "-r", str(height), source, encoded])]
        with tifffile.TiffFile(encoded) as tif:
            page = tif.pages[0]
            if len(page.dataoffsets) != 1:
                raise Refused(f"tiffcp wrote {len(page.dataoffsets)} strips, expected one")
            with open(encoded, "rb") as f:
                f.seek(page.dataoffsets[0])
                data = f.read(page.databytecounts[0])
        rawfax = ctx.scratch_path(f"{slug}.fax")
        with open(rawfax, "wb") as f:
            f.write(data)
        steps.append(f"extract the strip of {os.path.basename(encoded)} into {os.path.basename(rawfax)}")
        steps.append(ctx.run(["fax2tiff", *decode, "-M", "-B", "-X", str(width), "-o", path, rawfax]))
        return steps

    return Job(f"lt-{slug}.tif", "libtiff", "tiffcp + fax2tiff", kind, make,
               {"tiffcp": f"-c {encode}", "fax2tiff": " ".join(decode)}, f"bilevel {width}x{height} seed {seed}")


def jobs():
    g, s, big = (203, 157), (160, 120), (513, 257)
    tiles = lambda n: ["-t", "-w", str(n), "-l", str(n)]
    cp = lambda *a, **k: tool("tiffcp", *a, **k)
    out = []
    for name in ["none", "lzw", "lzw:2", "zip", "zip:2", "lzma", "zstd", "jpeg", "packbits", "lerc"]:
        slug = name.replace(":", "-pred")
        out.append(cp(f"gray8-{slug}", f"gray8 strips, -c {name}", "gray8", g, ["-c", name]))
    out += [
        cp("gray16-zip-pred2", "gray16, Deflate, predictor 2", "gray16", g, ["-c", "zip:2"]),
        cp("float32-zip-pred3", "float32, Deflate, predictor 3", "float32", s, ["-c", "zip:3"]),
        cp("float32-lerc-deflate", "float32, LERC + Deflate", "float32", s, ["-c", "lerc:s1"]),
        cp("gray16-lerc-zstd", "gray16, LERC + ZSTD", "gray16", s, ["-c", "lerc:s2"]),
        cp("rgb8-zstd-pred2", "rgb8, ZSTD, predictor 2", "rgb8", g, ["-c", "zstd:2"]),
        cp("rgb8-webp", "rgb8, WebP", "rgb8", g, ["-c", "webp"]),
        cp("rgba8-webp-lossless", "rgba8, WebP level 100 (lossless)", "rgba8", s, ["-c", "webp:p100"]),
        cp("rgb8-jpeg-ycbcr", "rgb8, JPEG YCbCr (tiffcp's default), 16 rows per strip", "rgb8", g,
           ["-c", "jpeg", "-r", "16"]),
        cp("rgb8-jpeg-rgb", "rgb8, JPEG photometric RGB, 8 rows per strip", "rgb8", g, ["-c", "jpeg:r:90", "-r", "8"]),
        cp("rgb8-lzma", "rgb8, LZMA", "rgb8", s, ["-c", "lzma"]),
        cp("bilevel-g3", "bilevel, CCITT G3 1D", "bilevel", g, ["-c", "g3"]),
        cp("bilevel-g3-2d", "bilevel, CCITT G3 2D", "bilevel", g, ["-c", "g3:2d"], seed=2),
        cp("bilevel-g3-fill", "bilevel, CCITT G3 byte-aligned EOLs", "bilevel", s, ["-c", "g3:fill"]),
        cp("bilevel-g4", "bilevel, CCITT G4", "bilevel", g, ["-c", "g4"], seed=3),
        cp("bilevel-g4-lsb", "bilevel, CCITT G4, FillOrder 2", "bilevel", s, ["-c", "g4", "-f", "lsb2msb"]),
        cp("bilevel-jbig", "bilevel, JBIG", "bilevel", s, ["-c", "jbig"]),
        cp("bilevel-none-lsb", "bilevel 1-bit, no compression, FillOrder 2", "bilevel", g, ["-f", "lsb2msb"]),
        cp("float32-sgilog", "float32, SGILog", "float32", s, ["-c", "sgilog"]),
        cp("gray8-tiled16", "gray8 16x16 tiles", "gray8", g, tiles(16)),
        cp("rgb8-tiled64-lzw", "rgb8 64x64 tiles, LZW", "rgb8", big, [*tiles(64), "-c", "lzw"]),
        cp("gray16-tiled256", "gray16 256x256 tiles (larger than the image)", "gray16", g, tiles(256)),
        cp("rgb16-tiled32-zip", "rgb16 32x32 tiles, Deflate", "rgb16", s, [*tiles(32), "-c", "zip"]),
        cp("gray8-rows1", "gray8 one row per strip", "gray8", g, ["-r", "1"]),
        cp("rgb8-rows5-packbits", "rgb8 5 rows per strip, PackBits", "rgb8", g, ["-r", "5", "-c", "packbits"]),
        cp("rgb8-separate", "rgb8 planar separate (-p separate)", "rgb8", g, ["-p", "separate"]),
        cp("rgba8-separate-tiled32", "rgba8 planar separate 32x32 tiles, LZW", "rgba8", g,
           ["-p", "separate", *tiles(32), "-c", "lzw"]),
        cp("rgb16-separate-lzw", "rgb16 planar separate, LZW", "rgb16", s, ["-p", "separate", "-c", "lzw"]),
        cp("gray8-bigtiff", "gray8 BigTIFF (-8)", "gray8", g, ["-8", "-c", "zip"]),
        cp("gray16-bigendian", "gray16 big-endian (-B)", "gray16", g, ["-B"]),
        cp("rgb8-bigendian-tiled64", "rgb8 big-endian 64x64 tiles", "rgb8", s, ["-B", *tiles(64)]),
        cp("multipage-gray8", "3 pages gray8, LZW (tiffcp A B C)", "gray8", s, ["-c", "lzw"],
           more=[("gray8", s, 2), ("gray8", s, 3)]),
        cp("multipage-mixed", "3 pages: rgb8, gray16, gray8 37x23", "rgb8", s, ["-c", "zip"],
           more=[("gray16", g, 2), ("gray8", (37, 23), 3)]),
        cp("gray8-1x1", "gray8 1x1", "gray8", (1, 1), ["-c", "lzw"]),
        cp("cmyk8", "CMYK, LZW", "cmyk8", s, ["-c", "lzw"]),
        cp("palette-zip", "palette, Deflate", "palette", g, ["-c", "zip"]),
        cp("int16", "signed 16-bit, LZW", "int16", s, ["-c", "lzw"]),
        # raw2tiff: raw samples to TIFF.
        raw("raw-gray8-lzw", "gray8 from raw, LZW", "gray8", g, "byte", ["-c", "lzw"]),
        raw("raw-gray16-zip", "gray16 from raw, Deflate, 16 rows per strip", "gray16", g, "short",
            ["-c", "zip", "-r", "16"]),
        raw("raw-rgb8-packbits", "rgb8 from raw, PackBits", "rgb8", g, "byte", ["-b", "3", "-p", "rgb", "-c", "packbits"]),
        raw("raw-rgb8-jpeg", "rgb8 from raw, JPEG", "rgb8", s, "byte", ["-b", "3", "-p", "rgb", "-c", "jpeg"]),
        raw("raw-float32", "float32 from raw", "float32", s, "float"),
        raw("raw-int16", "signed 16-bit from raw", "int16", s, "sshort", ["-r", "7"]),
        raw("raw-gray8-miniswhite", "gray8 min-is-white from raw", "gray8", g, "byte", ["-p", "miniswhite"], seed=2),
        raw("raw-cmyk8", "CMYK from raw", "cmyk8", s, "byte", ["-b", "4", "-p", "cmyk"]),
        # ppm2tiff: PGM/PPM to TIFF.
        tool("ppm2tiff", "ppm-rgb8", "rgb8 from PPM, PackBits (ppm2tiff's default)", "rgb8", g, ext="pnm"),
        tool("ppm2tiff", "ppm-gray8-zip", "gray8 from PGM, Deflate, 16 rows per strip", "gray8", g,
             ["-c", "zip", "-r", "16"], ext="pnm"),
        tool("ppm2tiff", "ppm-rgb8-jpeg", "rgb8 from PPM, JPEG", "rgb8", s, ["-c", "jpeg"], ext="pnm", seed=2),
        # Converters.
        tool("tiff2bw", "tiff2bw", "gray8 from rgb8 (tiff2bw), LZW", "rgb8", g, ["-c", "lzw"]),
        tool("tiffcrop", "tiffcrop-rot90", "gray8 rotated 90 (tiffcrop -R 90)", "gray8", g, ["-R", "90"]),
        tool("tiffcrop", "tiffcrop-flip-zip", "rgb8 flipped (tiffcrop -F horiz), Deflate", "rgb8", s,
             ["-F", "horiz", "-c", "zip"]),
        tool("tiffcrop", "tiffcrop-region-tiled", "gray8 region 10,10..150,100 (tiffcrop -z), 16x16 tiles",
             "gray8", g, ["-U", "px", "-z", "10,10,150,100", "-t", "-w", "16", "-l", "16"]),
        tool("tiffcp", "tiffset-orient6", "gray8, Orientation 6 set by tiffset", "gray8", g, [],
             after=["tiffset", "-s", "274", "6"], seed=4),
        tool("tiffcp", "tiffset-rgb8-orient3", "rgb8, Orientation 3 set by tiffset", "rgb8", s, ["-c", "lzw"],
             after=["tiffset", "-s", "274", "3"], seed=4),
        tool("tiffmedian", "tiffmedian", "palette from rgb8 (tiffmedian -C 64), LZW", "rgb8", g,
             ["-C", "64", "-c", "lzw"]),
        tool("tiffdither", "tiffdither-g4", "bilevel dithered from gray8 (tiffdither), CCITT G4", "gray8", g,
             ["-c", "g4"]),
        tool("pal2rgb", "pal2rgb", "rgb8 from palette (pal2rgb), LZW", "palette", g, ["-c", "lzw"]),
        tool("tiff2rgba", "tiff2rgba", "rgba8 from rgb8 (tiff2rgba), Deflate", "rgb8", s, ["-c", "zip"]),
        tool("tiff2rgba", "tiff2rgba-gray16", "rgb8 from gray16 (tiff2rgba -n)", "gray16", s, ["-n"]),
        # fax2tiff: raw CCITT data to TIFF Class F.
        fax("fax2tiff-g3", "bilevel from raw G3 1D data (fax2tiff), G3 2D output", g, "g3", ["-3", "-1"]),
        fax("fax2tiff-g4", "bilevel from raw G4 data (fax2tiff -4), G4 output", g, "g4", ["-4", "-8"], seed=2),
    ]
    return out
