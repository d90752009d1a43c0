import Foundation

/// TIFFs of every kind the kernel must read, written by Python's tifffile in one subprocess.
///
/// `MiniTIFF` covers plain gray8 without Python; this covers the rest: compressions (LZW, deflate,
/// PackBits), 16-bit, RGB, tiles, several pages, BigTIFF and big-endian byte order. Content is
/// deterministic (a gradient plus seeded noise), sizes vary (smaller and larger than the output).
public enum TIFFCorpus {
    /// Every kind, in the order `writeMixed` cycles through them.
    public static let kinds = [
        "gray8", "gray8-lzw", "gray8-deflate", "gray8-packbits", "gray16", "gray16-lzw", "rgb8", "rgb8-lzw",
        "rgb16-deflate", "tiled8", "tiled-rgb8", "multipage8", "bigtiff8", "bigendian16",
    ]

    /// Writes `count` files named `NNN-<kind>.tif` (with `prefix`) into `directory`, cycling through
    /// `kinds` and through seven sizes; returns the names in sorted order.
    @discardableResult
    public static func writeMixed(into directory: String, count: Int, prefix: String = "", seed: Int = 1234) throws
        -> [String]
    {
        let out = try CommandRunner.python(script, [directory, String(count), prefix, String(seed)])
        return out.split(separator: "\n").map(String.init).sorted()
    }

    static let script = """
        import os, sys, numpy as np, tifffile
        out, count, prefix, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        rng = np.random.default_rng(seed)
        def image(h, w, c, dtype):
            top = 65535 if dtype == np.uint16 else 255
            y, x = np.mgrid[0:h, 0:w]
            base = (x * top // max(w - 1, 1) + y * top // max(h - 1, 1)) // 2
            a = ((base + rng.integers(0, top // 4, (h, w))) % (top + 1)).astype(dtype)
            return a if c == 1 else np.stack([a, a[::-1], a[:, ::-1]], -1)
        kinds = {
            'gray8': {}, 'gray8-lzw': dict(compression='lzw'), 'gray8-deflate': dict(compression='zlib'),
            'gray8-packbits': dict(compression='packbits'), 'gray16': dict(dtype=np.uint16),
            'gray16-lzw': dict(dtype=np.uint16, compression='lzw'), 'rgb8': dict(c=3),
            'rgb8-lzw': dict(c=3, compression='lzw'), 'rgb16-deflate': dict(c=3, dtype=np.uint16, compression='zlib'),
            'tiled8': dict(tile=(32, 32)), 'tiled-rgb8': dict(c=3, tile=(16, 16), compression='zlib'),
            'multipage8': dict(pages=3), 'bigtiff8': dict(bigtiff=True), 'bigendian16': dict(dtype=np.uint16, byteorder='>'),
        }
        sizes = [(64, 96), (37, 53), (200, 120), (24, 32), (10, 7), (128, 128), (333, 251)]
        names = list(kinds)
        for i in range(count):
            kind = names[i % len(names)]
            o = kinds[kind]
            h, w = sizes[i % len(sizes)]
            c, dtype = o.get('c', 1), o.get('dtype', np.uint8)
            options = dict(photometric='rgb' if c == 3 else 'minisblack', compression=o.get('compression'), metadata=None)
            if 'tile' in o: options['tile'] = o['tile']
            name = f'{prefix}{i:03d}-{kind}.tif'
            path = os.path.join(out, name)
            if 'pages' in o:
                with tifffile.TiffWriter(path) as t:
                    for p in range(o['pages']): t.write(image(h, w, c, dtype), **options)
            else:
                tifffile.imwrite(path, image(h, w, c, dtype), bigtiff=o.get('bigtiff', False),
                                 byteorder=o.get('byteorder', '<'), **options)
            print(name)
        """
}
