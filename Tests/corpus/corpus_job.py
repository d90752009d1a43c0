"""One corpus file to write: the job description and the context a writer runs in."""
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Callable


class Refused(Exception):
    """The writer declined to produce this kind; the message (the tool's own) goes to `skipped`."""


class MissingTool(Exception):
    """A whole writer is not installed: the corpus would silently lose it, so generation stops."""


@dataclass
class Job:
    """One output file.

    `make(ctx, path)` writes `path` and returns the commands it ran (display strings, for
    corpus.json); it raises `Refused` when the tool cannot write this kind.
    """
    name: str
    writer: str          # gdal | imagemagick | vips | pillow | tifffile | libtiff
    tool: str            # the program or call that wrote the file
    kind: str            # short description of the layout
    make: Callable
    params: dict = field(default_factory=dict)
    source: str = ""     # the master it was made from


# Tools are run with one thread each: the generator runs jobs in parallel already, and ImageMagick's
# OpenMP or vips' thread pool would only oversubscribe the two cores. GDAL must not drop .aux.xml files.
TOOL_ENVIRONMENT = {
    "MAGICK_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1", "VIPS_CONCURRENCY": "1", "VIPS_WARNING": "0",
    "GDAL_PAM_ENABLED": "NO",
}


class Context:
    """What a job's `make` gets: the masters, a scratch directory, and a way to run tools."""

    def __init__(self, masters, scratch, outdir):
        self.masters = masters
        self.scratch = scratch
        self.outdir = outdir
        self.environment = dict(os.environ, **TOOL_ENVIRONMENT)

    def scratch_path(self, name):
        """A path for an intermediate file (not part of the corpus)."""
        return os.path.join(self.scratch, name)

    def short(self, text):
        """`text` with the temporary directories cut from the paths in it."""
        for directory in (self.masters.directory, self.scratch, self.outdir):
            text = text.replace(directory + os.sep, "")
        return text

    def display(self, argv):
        """`argv` as one shell line, with the temporary directories cut from paths."""
        return shlex.join(self.short(str(a)) for a in argv)

    def run(self, argv, timeout=60):
        """Runs a tool; a non-zero exit (or a crash) is `Refused` with its last lines of output."""
        try:
            done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, errors="replace",
                                  timeout=timeout, env=self.environment)
        except subprocess.TimeoutExpired:
            raise Refused(f"timed out after {timeout} s")
        if done.returncode != 0:
            lines = (done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}").splitlines()
            raise Refused(self.short(" / ".join(lines[-3:])))
        return self.display(argv)
