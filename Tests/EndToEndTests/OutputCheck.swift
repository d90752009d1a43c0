import CImageKernel
import Foundation
import TestSupport
import TiffShardCore

/// Checks what `convert` or `run` published in one output format against the image kernel's reference
/// (`tsk_reference_decode`: `cv::imread` with the mode's flags, `convertTo`, `cv::resize`, fit/crop placement),
/// row by row and bit for bit, with the shards loaded by real numpy and the manifests read by Python's json.
///
/// Swift reads the manifests (`ManifestRecord.parse`), decodes every row's source page with the reference into
/// `reference.npy` and lists what each manifest line must say; one Python process then loads every shard
/// (`np.load(mmap_mode='r')`) and compares.
struct OutputCheck {
    /// Where the sources of the manifests' relative paths are.
    var sourceRoot: String
    var output: String
    var width: Int
    var height: Int
    var format: OutputFormat
    var interpolation: Interpolation = .linear
    /// The shards and manifests (`prefix-shard-…`); empty: no instance prefix.
    var prefix: String = ""

    /// One published shard as numpy sees it.
    struct Shard: Decodable, Equatable {
        var name: String
        var rows: Int
        /// NumPy's `dtype.str`: `|u1`, `<u2`, `<f4`.
        var descr: String
        var shape: [Int]
    }

    /// What was published and everything wrong with it.
    struct Report: Decodable {
        var shards: [Shard]
        /// `source#page` of every row, in shard then row order.
        var rows: [String]
        /// Empty when every shard, row and manifest line is as the reference says.
        var problems: [String]
    }

    /// Runs the check; `scratch` receives `reference.npy` and the expectations.
    func run(scratch: String) throws -> Report {
        let names = try FileManager.default.contentsOfDirectory(atPath: output)
            .filter { $0.hasPrefix(prefix.isEmpty ? "shard-" : prefix + "-shard-") && $0.hasSuffix(".jsonl") }.sorted()
        var expected: [[String: Any]] = []
        var reference = NPYHeader(rows: 0, height: height, width: width, output: format)
        var pixels: [UInt8] = []
        var problems: [String] = []
        tsk_init()
        for name in names {
            let text = try String(contentsOfFile: output + "/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let record = ManifestRecord.parse(String(line)) else {
                    problems.append("\(name): a line ManifestRecord.parse refuses: \(line)")
                    continue
                }
                let source = String(decoding: record.source.relativePath.bytes, as: UTF8.self)
                let path = sourceRoot + "/" + source
                let row = Self.reference(path, page: UInt32(record.page), kernelOutput)
                guard let row else {
                    problems.append("\(source) page \(record.page): the reference cannot decode it, but it was published")
                    continue
                }
                pixels += row.bytes
                reference.rows += 1
                expected.append([
                    "shard": String(name.dropLast(".jsonl".count)), "source": source, "page": record.page,
                    "resized": [Int(row.placement.resized_width), Int(row.placement.resized_height)],
                    "offset": [Int(row.placement.offset_x), Int(row.placement.offset_y)],
                ])
            }
        }
        try Data(reference.encoded() + pixels).write(to: URL(fileURLWithPath: scratch + "/reference.npy"))
        let configuration: [String: Any] = [
            "output": output, "sources": sourceRoot, "width": width, "height": height, "prefix": prefix,
            "dtype": format.dtype.rawValue, "descr": format.dtype.npyDescriptor, "color": format.color.rawValue,
            "resize": format.resize.rawValue, "pad": format.padValue, "pages": format.pages.rawValue, "rows": expected,
            "reference": scratch + "/reference.npy",
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        var report = try JSONDecoder().decode(Report.self, from: Data(try CommandRunner.python(Self.script, [json]).utf8))
        report.problems = problems + report.problems
        return report
    }

    /// The kernel's description of a row in this format.
    var kernelOutput: tsk_output {
        var output = tsk_output()
        output.width = Int32(width)
        output.height = Int32(height)
        output.dtype = tsk_dtype(rawValue: UInt32(format.dtype.code))
        output.color = tsk_color(rawValue: UInt32(format.color.code))
        output.resize = tsk_resize(rawValue: UInt32(format.resize.code))
        output.pages = tsk_pages(rawValue: UInt32(format.pages.code))
        output.interpolation = tsk_interpolation(rawValue: UInt32(interpolation.code))
        output.pad_value = format.padValue
        output.max_pixels = 1 << 30
        return output
    }

    /// Page `page` of `path` through `tsk_reference_decode`, or nil if the reference refuses it.
    static func reference(_ path: String, page: UInt32, _ output: tsk_output) -> (bytes: [UInt8], placement: tsk_placement)? {
        var output = output
        let sample = [1, 2, 4][Int(output.dtype.rawValue)]
        var bytes = [UInt8](repeating: 0, count: Int(output.width) * Int(output.height) * sample
            * (output.color == TSK_COLOR_RGB ? 3 : 1))
        var placement = tsk_placement()
        var error = [CChar](repeating: 0, count: 512)
        let capacity = error.count
        let status = bytes.withUnsafeMutableBytes { row in
            tsk_reference_decode(path, page, &output, row.baseAddress!, &placement, &error, capacity)
        }
        return status == TSK_OK ? (bytes, placement) : nil
    }

    static let script = """
        import glob, json, os, sys
        import numpy as np, tifffile
        cfg = json.loads(sys.argv[1])
        out, w, h = cfg['output'], cfg['width'], cfg['height']
        shape = (h, w) if cfg['color'] == 'gray' else (h, w, 3)
        ref = np.load(cfg['reference'], mmap_mode='r')
        expected = cfg['rows']
        problems, shards, rows = [], [], []
        k = 0
        stem = (cfg['prefix'] + '-shard-') if cfg['prefix'] else 'shard-'
        for f in sorted(glob.glob(os.path.join(glob.escape(out), stem + '*.npy'))):
            name = os.path.basename(f)
            a = np.load(f, mmap_mode='r')
            shards.append(dict(name=name, rows=int(a.shape[0]), descr=a.dtype.str, shape=list(a.shape)))
            if a.dtype.str != cfg['descr'] or a.shape[1:] != shape:
                problems.append(f'{name}: {a.dtype.str} {a.shape}, expected {cfg["descr"]} (N, *{shape})')
                continue
            if a.offset % 64:
                problems.append(f'{name}: data at {a.offset}, not 64-byte aligned')
            if os.path.getsize(f) != a.offset + a.nbytes:
                problems.append(f'{name}: {os.path.getsize(f)} bytes, header says {a.offset + a.nbytes}')
            lines = [json.loads(l) for l in open(f[:-4] + '.jsonl', encoding='utf-8')]
            if len(lines) != a.shape[0]:
                problems.append(f'{name}: {a.shape[0]} rows, {len(lines)} manifest lines')
            for i, r in enumerate(lines):
                rows.append(f"{r['source']}#{r.get('page')}")
                if k >= len(expected):
                    problems.append(f'{name} row {i}: no reference row')
                    continue
                e = expected[k]
                what = f"{r['source']} page {r.get('page')} (row {i} of {name})"
                if (e['shard'], e['source'], e['page']) != (name[:-4], r['source'], r.get('page')):
                    problems.append(f'{what}: reference row {k} is {e}')
                if i < a.shape[0] and np.asarray(a[i]).tobytes() != np.asarray(ref[k]).tobytes():
                    diff = np.abs(np.asarray(a[i], dtype=np.float64) - np.asarray(ref[k], dtype=np.float64))
                    problems.append(f'{what}: {int((diff > 0).sum())} samples differ from the reference (max {diff.max()})')
                k += 1
                # Every output option is recorded on every line.
                for key, want in (('dtype', cfg['dtype']), ('color', cfg['color']), ('resize', cfg['resize']),
                                  ('pad_value', cfg['pad']), ('pages_mode', cfg['pages']),
                                  ('resized', e['resized']), ('offset', e['offset'])):
                    if r.get(key) != want:
                        problems.append(f'{what}: {key} {r.get(key)!r}, expected {want!r}')
                if r.get('scale') != [e['resized'][0] / r['width'], e['resized'][1] / r['height']]:
                    problems.append(f"{what}: scale {r.get('scale')} for {e['resized']} from {r['width']}x{r['height']}")
                with tifffile.TiffFile(os.path.join(cfg['sources'], r['source'])) as t:
                    # Pages are the main chain's images without the reduced-resolution bit (overviews are not).
                    main = [p for p in t.pages if not int(p.subfiletype) & 1]
                    page = main[r['page']] if r['page'] > 0 else t.pages[0]
                    facts = dict(width=page.imagewidth, height=page.imagelength, sample_format=int(page.sampleformat),
                                 photometric=int(page.photometric), pages=len(main))
                for key, want in facts.items():
                    if r.get(key) != want:
                        problems.append(f'{what}: {key} {r.get(key)!r}, tifffile says {want!r}')
        if k != len(expected):
            problems.append(f'{len(expected)} reference rows, {k} rows published')
        print(json.dumps(dict(shards=shards, rows=rows, problems=problems)))
        """
}
