import CImageKernel
import Foundation
import Testing

/// The default mode's contract on TIFFs made by independent real writers: for every file, our decode
/// (`tsk_decode_resize`) gives exactly `cv::imread(IMREAD_GRAYSCALE)` + `cv::resize` of Debian's OpenCV
/// (`tsk_reference_decode_resize`), or fails where imread fails. The corpus is
/// `Tests/corpus/make_real_writers.py` (see its docstring for the writers and kinds).
@Suite(.realWriterCorpus) struct RealWriterCorpusTests {
    /// Files each writer must have produced: fewer means a tool is missing or broken on this machine.
    static let minimumFilesPerWriter = [
        "gdal": 60, "imagemagick": 40, "vips": 35, "pillow": 30, "tifffile": 55, "libtiff": 55,
    ]
    static let interpolations: [(String, tsk_interpolation)] = [
        ("linear", TSK_INTER_LINEAR), ("area", TSK_INTER_AREA), ("nearest", TSK_INTER_NEAREST),
        ("cubic", TSK_INTER_CUBIC),
    ]

    /// A downscale and an upscale of the file's size, both odd (fixed odd sizes if the size is unknown).
    static func outputSizes(_ entry: RealWriterCorpus.Entry) -> [(width: Int, height: Int)] {
        guard let width = entry.width, let height = entry.height, width > 0, height > 0 else {
            return [(61, 43), (331, 227)]
        }
        return [(max(1, width / 3) | 1, max(1, height / 3) | 1), ((width * 3 / 2 + 5) | 1, (height * 4 / 3 + 3) | 1)]
    }

    @Test func everyWriterProducedItsFiles() throws {
        let corpus = try #require(RealWriterCorpus.current)
        let counts = Dictionary(grouping: corpus.files, by: \.writer).mapValues(\.count)
        for (writer, minimum) in Self.minimumFilesPerWriter.sorted(by: { $0.key < $1.key }) {
            let skipped = corpus.skipped.filter { $0.name.hasPrefix(Self.prefix(of: writer)) }
                .map { "\($0.name): \($0.reason)" }
            #expect(
                counts[writer, default: 0] >= minimum,
                "\(writer) wrote \(counts[writer, default: 0]) files, expected at least \(minimum); skipped: \(skipped)")
        }
        #expect(Set(counts.keys) == Set(Self.minimumFilesPerWriter.keys))
    }

    @Test func everyFileDecodesExactlyLikeImread() throws {
        let corpus = try #require(RealWriterCorpus.current)
        for entry in corpus.files {
            let mismatches = Self.mismatches(corpus.path(of: entry), Self.outputSizes(entry))
            let decodesLikeImread = mismatches.isEmpty  // a plain Bool: the message below says it all
            let shown = mismatches.prefix(3).joined(separator: "; ")
            #expect(
                decodesLikeImread,
                "\(entry.name) (\(entry.writer): \(entry.kind)): \(mismatches.count) mismatches: \(shown)")
        }
    }

    /// The output modes beyond the default one, each against its reference on every file and page: the
    /// mode's cv::imread (+ BGR->RGB, convertTo by value, resize), or where cv::imread cannot read a page
    /// (or misreads it: planar-separate samples wider than 8 bits), tifffile's values by value in float32.
    @Test func everyFileInEveryModeMatchesItsReference() throws {
        let corpus = try #require(RealWriterCorpus.current)
        let modes: [(tsk_dtype, tsk_color)] = [
            (TSK_DTYPE_UINT16, TSK_COLOR_GRAY), (TSK_DTYPE_FLOAT32, TSK_COLOR_GRAY), (TSK_DTYPE_UINT8, TSK_COLOR_RGB),
            (TSK_DTYPE_UINT16, TSK_COLOR_RGB), (TSK_DTYPE_FLOAT32, TSK_COLOR_RGB),
        ]
        var byValueChecked = 0
        for entry in corpus.files {
            let path = corpus.path(of: entry)
            var problems: [String] = []
            let pageCount = max(1, entry.pages ?? 1)
            for page in 0..<pageCount {
                for (dtype, color) in modes {
                    let size = Self.outputSizes(entry)[0]
                    let pages = pageCount > 1 ? TSK_PAGES_ALL : TSK_PAGES_FIRST
                    let output = tsk_output.mode(
                        size.width, size.height, dtype: dtype, color: color,
                        resize: page % 2 == 0 ? TSK_RESIZE_FIT : TSK_RESIZE_CROP, pages: pages, interpolation: TSK_INTER_AREA)
                    let ours = Kernel.decode(path, page: UInt32(page), output)
                    let reference = Kernel.reference(path, page: UInt32(page), output)
                    let label = "page \(page) \(output.label)"
                    if ours.status == TSK_OK && ours.info.by_value == 1 {
                        // By value: at the page's own size the row is the decoded page (cv::resize copies).
                        guard let expected = corpus.byValue(entry, page: page, rgb: color == TSK_COLOR_RGB) else {
                            problems.append("\(label): decoded by value, but tifffile has no reference")
                            continue
                        }
                        let native = Kernel.decode(
                            path, page: UInt32(page),
                            tsk_output.mode(
                                Int(ours.info.width), Int(ours.info.height), dtype: TSK_DTYPE_FLOAT32, color: color,
                                pages: pages))
                        if native.bytes != expected { problems.append("\(label): by-value pixels differ from tifffile") }
                        byValueChecked += 1
                        continue
                    }
                    switch (ours.status == TSK_OK, reference.status == TSK_OK) {
                    case (false, false):
                        continue
                    case (true, true):
                        if ours.bytes != reference.bytes { problems.append("\(label): pixels differ from cv::imread") }
                        if ours.placementText != reference.placementText { problems.append("\(label): placement") }
                    case (false, true) where ours.message.contains("is not available in this libtiff"):
                        continue  // cv::imread's black image for a missing codec (see above)
                    case (false, true) where ours.message.contains("OpenCV 4.6 misreads them"):
                        continue  // planar-separate wide samples in uint16 gray: no by-value meaning
                    default:
                        problems.append(
                            "\(label): ours \(Self.describe(ours.status)) \"\(ours.message)\", reference "
                                + "\(Self.describe(reference.status)) \"\(reference.message)\"")
                    }
                }
            }
            let matches = problems.isEmpty
            #expect(matches, "\(entry.name) (\(entry.writer): \(entry.kind)): \(problems.prefix(3).joined(separator: "; "))")
        }
        #expect(byValueChecked >= 20, "the corpus exercises the by-value route (\(byValueChecked) checks)")
    }

    /// Every (interpolation, size) where ours and the reference disagree, described.
    static func mismatches(_ path: String, _ sizes: [(width: Int, height: Int)]) -> [String] {
        var found: [String] = []
        for (name, interpolation) in interpolations {
            for size in sizes {
                let ours = Kernel.decode(path, width: size.width, height: size.height, interpolation)
                let reference = Kernel.reference(path, width: size.width, height: size.height, interpolation)
                let where_ = "\(name) \(size.width)x\(size.height)"
                switch (ours.status == TSK_OK, reference.status == TSK_OK) {
                case (false, false):
                    // Both refuse: decoding failed before any resize, so the other combinations would too.
                    return found
                case (false, true) where ours.status == TSK_UNSUPPORTED && ours.message.contains("is not available in this libtiff"):
                    // The one deliberate difference: without the codec, libtiff's RGBA reader ignores the
                    // failed decode and cv::imread returns a zeroed (black) image. We refuse instead.
                    if Set(reference.pixels).count > 1 {
                        found.append("\(where_): codec missing, yet cv::imread returned a non-flat image")
                    }
                    return found
                case (true, false), (false, true):
                    found.append(
                        "\(where_): ours \(describe(ours.status)) \"\(ours.message)\" (fallback \(ours.info.used_fallback)), "
                            + "reference \(describe(reference.status)) \"\(reference.message)\"")
                case (true, true):
                    if !ours.hasSamePixels(as: reference) {
                        found.append(
                            "\(where_): \(ours.differences(from: reference)) of \(ours.pixels.count) bytes differ "
                                + "(fallback \(ours.info.used_fallback))")
                    }
                }
            }
        }
        return found
    }

    static func describe(_ status: tsk_status) -> String {
        switch status {
        case TSK_OK: "OK"
        case TSK_OPEN_FAILED: "OPEN_FAILED"
        case TSK_NOT_TIFF: "NOT_TIFF"
        case TSK_TOO_LARGE: "TOO_LARGE"
        case TSK_DECODE_FAILED: "DECODE_FAILED"
        case TSK_UNSUPPORTED: "UNSUPPORTED"
        case TSK_INTERNAL: "INTERNAL"
        case TSK_OUT_OF_MEMORY: "OUT_OF_MEMORY"
        default: "status \(status.rawValue)"
        }
    }

    /// The file-name prefix of a writer's files in the corpus.
    static func prefix(of writer: String) -> String {
        ["gdal": "gdal-", "imagemagick": "im-", "vips": "vips-", "pillow": "pil-", "tifffile": "tf-", "libtiff": "lt-"][
            writer, default: writer + "-"]
    }
}

extension KernelOutcome {
    /// Byte equality of the destination buffers (memcmp: a debug-build element loop is slow on 300 KB).
    func hasSamePixels(as other: KernelOutcome) -> Bool {
        pixels.count == other.pixels.count
            && pixels.withUnsafeBytes { a in other.pixels.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }
}
