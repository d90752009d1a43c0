import Foundation

/// Checks a convert/run output directory the way a user would read it, in one Python process: real
/// numpy (`np.load(mmap_mode='r')`), `json` for the manifests and `rejected.jsonl`, an independent decode
/// with OpenCV (`cv2.imread(p, IMREAD_GRAYSCALE)` + `cv2.resize`) and the source's header read by tifffile.
///
/// Problems are reported as text in three lists so a test can tell the output's format (`structure`),
/// its pixels and its copy of the source metadata apart.
public enum ShardCheck {
    /// One output directory to check, with how its pixels were resized.
    public struct Expectation: Encodable, Sendable {
        public var output: String
        public var interpolation: String
        /// Largest accepted difference per pixel from the Python decode (0: bit-exact).
        public var tolerance: Int

        public init(output: String, interpolation: String = "linear", tolerance: Int = 0) {
            self.output = output
            self.interpolation = interpolation
            self.tolerance = tolerance
        }
    }

    /// One published shard: its `.npy` name and row count.
    public struct Shard: Decodable, Equatable, Sendable {
        public var name: String
        public var rows: Int
    }

    /// One line of `rejected.jsonl`.
    public struct Rejection: Decodable, Equatable, Sendable {
        public var source: String
        public var reason: String

        public init(source: String, reason: String) {
            self.source = source
            self.reason = reason
        }
    }

    /// What one output directory holds and what is wrong with it.
    public struct Report: Decodable, Sendable {
        /// Shards in name order.
        public var shards: [Shard]
        /// Manifest `source` values in shard then row order, exactly as Python's json parses them.
        public var sources: [String]
        /// `rejected.jsonl` in file order.
        public var rejected: [Rejection]
        /// Shape, dtype, alignment, row numbering, missing keys, bytes/mtime not matching the source.
        public var structure: [String]
        /// Rows that are all zero or differ from OpenCV's decode by more than the tolerance.
        public var pixels: [String]
        /// width/height/bits_per_sample/channels/pages not matching the source's first page.
        public var metadata: [String]

        /// Rejection reasons by source.
        public var reasons: [String: String] {
            Dictionary(rejected.map { ($0.source, $0.reason) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Checks each expectation against sources under `source`, at `width` x `height`.
    public static func run(source: String, width: Int, height: Int, _ expectations: [Expectation]) throws -> [Report] {
        struct Configuration: Encodable {
            var source: String
            var width: Int
            var height: Int
            var outputs: [Expectation]
        }
        let configuration = Configuration(source: source, width: width, height: height, outputs: expectations)
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        let out = try CommandRunner.python(script, [json])
        return try JSONDecoder().decode([Report].self, from: Data(out.utf8))
    }

    /// Checks one output directory.
    public static func run(source: String, width: Int, height: Int, output: String, interpolation: String = "linear",
                           tolerance: Int = 0) throws -> Report {
        try run(source: source, width: width, height: height,
                [Expectation(output: output, interpolation: interpolation, tolerance: tolerance)])[0]
    }

    static let script = """
        import glob, json, os, sys
        import numpy as np, cv2, tifffile
        cfg = json.loads(sys.argv[1])
        src, w, h = cfg['source'], cfg['width'], cfg['height']
        modes = dict(linear=cv2.INTER_LINEAR, area=cv2.INTER_AREA, nearest=cv2.INTER_NEAREST,
                     cubic=cv2.INTER_CUBIC, lanczos=cv2.INTER_LANCZOS4)
        keys = ['row', 'source', 'bytes', 'mtime', 'mtime_ns', 'width', 'height', 'bits_per_sample', 'channels', 'pages']
        reports = []
        for o in cfg['outputs']:
            rep = dict(shards=[], sources=[], rejected=[], structure=[], pixels=[], metadata=[])
            mode, tolerance = modes[o['interpolation']], o['tolerance']
            for f in sorted(glob.glob(os.path.join(glob.escape(o['output']), 'shard-*.npy'))):
                name = os.path.basename(f)
                a = np.load(f, mmap_mode='r')
                if a.dtype != np.uint8 or a.ndim != 3 or a.shape[1:] != (h, w):
                    rep['structure'].append(f'{name}: shape {a.shape} dtype {a.dtype}, expected (N, {h}, {w}) uint8')
                    continue
                if a.offset % 64:
                    rep['structure'].append(f'{name}: data offset {a.offset} is not 64-byte aligned')
                rows = [json.loads(line) for line in open(f[:-4] + '.jsonl', encoding='utf-8')]
                if len(rows) != a.shape[0]:
                    rep['structure'].append(f'{name}: {a.shape[0]} images but {len(rows)} manifest lines')
                rep['shards'].append(dict(name=name, rows=a.shape[0]))
                for i, r in enumerate(rows):
                    missing = [k for k in keys if k not in r]
                    if missing:
                        rep['structure'].append(f'{name} line {i}: missing {missing}')
                        continue
                    rep['sources'].append(r['source'])
                    if r['row'] != i:
                        rep['structure'].append(f'{name} line {i}: row {r["row"]}')
                    p = os.path.join(src, r['source'])
                    st = os.stat(p)
                    if (r['bytes'], r['mtime_ns']) != (st.st_size, st.st_mtime_ns) or abs(r['mtime'] - st.st_mtime_ns / 1e9) > 1e-5:
                        rep['structure'].append(f'{r["source"]!r}: bytes/mtime {r["bytes"]} {r["mtime"]} {r["mtime_ns"]} '
                                                f'but stat says {st.st_size} {st.st_mtime_ns}')
                    if i >= a.shape[0]:
                        continue
                    got = np.asarray(a[i])
                    if not got.any():
                        rep['pixels'].append(f'{r["source"]!r} (row {i} of {name}): all zero')
                    decoded = cv2.imread(p, cv2.IMREAD_GRAYSCALE)
                    if decoded is None:
                        rep['pixels'].append(f'{r["source"]!r}: OpenCV cannot decode it, but it was converted')
                    else:
                        want = cv2.resize(decoded, (w, h), interpolation=mode)
                        diff = np.abs(want.astype(np.int16) - got.astype(np.int16))
                        if diff.max() > tolerance:
                            rep['pixels'].append(f'{r["source"]!r} (row {i} of {name}): {int((diff > tolerance).sum())} '
                                                 f'pixels differ from OpenCV by more than {tolerance} (max {int(diff.max())})')
                    try:
                        with tifffile.TiffFile(p) as t:
                            page = t.pages[0]
                            meta = dict(width=page.imagewidth, height=page.imagelength, bits_per_sample=page.bitspersample,
                                        channels=page.samplesperpixel, pages=len(t.pages))
                    except Exception as e:
                        meta = dict(error=str(e))
                    got_meta = {k: r.get(k) for k in meta}
                    if got_meta != meta:
                        rep['metadata'].append(f'{r["source"]!r}: manifest {got_meta}, source {meta}')
            rejected = os.path.join(o['output'], 'rejected.jsonl')
            if os.path.exists(rejected):
                for line in open(rejected, encoding='utf-8'):
                    r = json.loads(line)
                    rep['rejected'].append(dict(source=r['source'], reason=r['reason']))
            reports.append(rep)
        print(json.dumps(reports))
        """
}
