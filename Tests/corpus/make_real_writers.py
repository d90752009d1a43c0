#!/usr/bin/env python3
"""A corpus of TIFFs made by independent real writers, and tifffile's decode of each as a second reference.

    python3 Tests/corpus/make_real_writers.py OUTDIR [--writer NAME ...]

or, from Python (the end-to-end and float/16-bit mode tests reuse it):

    sys.path.insert(0, "Tests/corpus"); from make_real_writers import generate
    entries = generate(outdir)

Writers: GDAL (gdal_translate, gdaladdo, the COG driver), ImageMagick 6 (/usr/bin/convert-im6.q16), libvips
(`vips`), Pillow, tifffile (+imagecodecs) and the libtiff tools (tiffcp, raw2tiff, ppm2tiff, tiff2bw,
tiffcrop, tiffset, tiffmedian, tiffdither, fax2tiff, pal2rgb, tiff2rgba). A writer that is not installed
stops the generation (MissingTool, exit status 2): CI must install it (.ci/install-deps). A kind one writer
cannot produce (WebP on gray in GDAL, say) is skipped and listed with the tool's message.

OUTDIR gets:
- `NAME.tif`: the corpus files, `WRITER-KIND.tif`;
- `corpus.json`: {"files": [entry...], "skipped": [...], "tools": {writer: version}}, one entry per file:
  name, writer, tool, kind (short description), command (the shell lines or Python call that wrote it),
  params (the options), source (the master's kind, size and seed), width/height/pages (of the file as
  tifffile parses its header: page 0 and the count of main-chain IFDs that are not reduced-resolution),
  tifffile (list of .npy names, one per page) or tifffile_error;
- `NAME.tifffile.npy` (page 0) and `NAME.tifffile.pK.npy` (page K >= 1): tifffile's `TiffPage.asarray()`
  of every page of the main IFD chain whose NewSubfileType bit 0 is clear (the pages tiffshard counts:
  overviews, pyramid levels and thumbnails excluded; SubIFDs are not in the main chain), as stored:
  no colormap, no min-is-white inversion, no alpha handling; tifffile's shape ((h, w), (h, w, s) contig,
  (s, h, w) planar separate) and dtype. JPEG/WebP/... are decoded by imagecodecs.
Pixel content is seeded (gradients, shapes, noise): the same tool versions give the same pixels (a few
files carry a temporary path or a UUID in ImageDescription, so bytes may differ between runs).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus_job import Context, MissingTool, Refused  # noqa: E402
from corpus_pixels import Masters  # noqa: E402
import writer_gdal  # noqa: E402
import writer_imagemagick  # noqa: E402
import writer_libtiff  # noqa: E402
import writer_pillow  # noqa: E402
import writer_tifffile  # noqa: E402
import writer_vips  # noqa: E402

WRITERS = {
    "gdal": writer_gdal, "imagemagick": writer_imagemagick, "vips": writer_vips, "pillow": writer_pillow,
    "tifffile": writer_tifffile, "libtiff": writer_libtiff,
}


def check_tools(writers):
    """Raises MissingTool naming every writer program or module that is not installed."""
    missing = []
    for name in writers:
        module = WRITERS[name]
        problem = module.check() if hasattr(module, "check") else None
        if problem:
            missing.append(f"{name}: {problem}")
            continue
        for tool in module.TOOLS:
            if (os.path.isabs(tool) and not os.access(tool, os.X_OK)) or (not os.path.isabs(tool) and
                                                                          shutil.which(tool) is None):
                missing.append(f"{name}: {tool}")
        for module_name in getattr(module, "MODULES", []):
            try:
                __import__(module_name)
            except ImportError as error:
                missing.append(f"{name}: Python module {module_name} ({error})")
    if missing:
        raise MissingTool("writers not installed (run .ci/install-deps): " + "; ".join(missing))


def tifffile_reference(path):
    """Saves tifffile's decode of every non-reduced main-chain page; returns (names, shapes, dtypes, pages)."""
    import numpy as np
    import tifffile

    names, shapes, dtypes = [], [], []
    with tifffile.TiffFile(path) as tif:
        pages = [page for page in tif.pages if not (int(page.subfiletype) & 1)]
        for index, page in enumerate(pages):
            array = page.asarray()
            name = os.path.basename(path) + (".tifffile.npy" if index == 0 else f".tifffile.p{index}.npy")
            np.save(os.path.join(os.path.dirname(path), name), array)
            names.append(name)
            shapes.append(list(array.shape))
            dtypes.append(array.dtype.str)
    return names, shapes, dtypes


def header(path):
    """(width, height, pages) of the file as tifffile reads its header, or Nones."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            pages = sum(1 for p in tif.pages if not (int(p.subfiletype) & 1))
            return int(page.imagewidth), int(page.imagelength), pages
    except Exception:  # noqa: BLE001 - a header tifffile cannot parse is recorded as unknown
        return None, None, None


def run_job(job, ctx):
    """Writes one file; returns ('file', entry) or ('skipped', record)."""
    path = os.path.join(ctx.outdir, job.name)
    base = {"name": job.name, "writer": job.writer, "tool": job.tool, "kind": job.kind}
    try:
        commands = job.make(ctx, path)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise Refused("the tool exited 0 but wrote no file")
    except Refused as refusal:
        if os.path.exists(path):
            os.remove(path)
        return "skipped", dict(base, params=job.params, reason=str(refusal))
    entry = dict(base, command=commands, params=job.params, source=job.source)
    entry["width"], entry["height"], entry["pages"] = header(path)
    try:
        entry["tifffile"], entry["tifffile_shapes"], entry["tifffile_dtypes"] = tifffile_reference(path)
    except Exception as error:  # noqa: BLE001 - tifffile's refusal is data: this file has no second reference
        entry["tifffile"] = None
        entry["tifffile_error"] = f"{type(error).__name__}: {error}"
    return "file", entry


def tool_versions(writers):
    return {name: WRITERS[name].version() for name in writers}


def generate(outdir, writers=None, workers=None):
    """Writes the corpus into `outdir` (created if needed) and returns the list of file entries.

    `writers` restricts to some writers (default: all). Raises MissingTool if one is not installed.
    """
    writers = list(writers or WRITERS)
    check_tools(writers)
    os.makedirs(outdir, exist_ok=True)
    outdir = os.path.abspath(outdir)
    jobs = [job for name in writers for job in WRITERS[name].jobs()]
    names = [job.name for job in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate corpus names: {duplicates}")
    with tempfile.TemporaryDirectory(prefix="tiffshard-masters-") as scratch:
        masters_dir = os.path.join(scratch, "masters")
        work_dir = os.path.join(scratch, "work")
        os.makedirs(masters_dir)
        os.makedirs(work_dir)
        ctx = Context(Masters(masters_dir), work_dir, outdir)
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda job: run_job(job, ctx), jobs))
    files = sorted((r for kind, r in results if kind == "file"), key=lambda e: e["name"])
    skipped = sorted((r for kind, r in results if kind == "skipped"), key=lambda e: e["name"])
    corpus = {"files": files, "skipped": skipped, "tools": tool_versions(writers)}
    with open(os.path.join(outdir, "corpus.json"), "w") as f:
        json.dump(corpus, f, indent=1)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--writer", action="append", choices=sorted(WRITERS), help="only this writer (repeatable)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    start = time.monotonic()
    try:
        files = generate(args.outdir, args.writer, args.workers)
    except MissingTool as error:
        print(f"make_real_writers: {error}", file=sys.stderr)
        return 2
    with open(os.path.join(args.outdir, "corpus.json")) as f:
        skipped = json.load(f)["skipped"]
    counts = {}
    for entry in files:
        counts[entry["writer"]] = counts.get(entry["writer"], 0) + 1
    summary = ", ".join(f"{w} {n}" for w, n in sorted(counts.items()))
    print(f"{len(files)} files ({summary}), {len(skipped)} skipped, in {time.monotonic() - start:.1f} s",
          file=sys.stderr)
    for record in skipped:
        print(f"  skipped {record['name']}: {record['reason']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
