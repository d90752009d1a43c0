import Foundation
import Testing
import TestSupport
import TiffShardCore

/// The output options (`dtype`, `color`, `pages`, `resize`, `pad-value`) through `tiffshard convert`: each
/// mode's shards load in numpy with the mode's dtype and shape, every row equals the kernel's reference decode
/// of its source page, and every manifest line says the format and where the page landed.
@Suite struct OutputOptionsTests {
    /// Sources of every kind the modes must handle: gray and colour, 8 and 16 bits, alpha, several pages,
    /// wide and tall (fit pads on one axis, crop cuts the other).
    static let corpus: [(name: String, spec: TIFFSpec)] = [
        ("a-gray8.tif", TIFFSpec(width: 90, height: 61)),
        ("b-gray16.tif", TIFFSpec(width: 50, height: 120, bitsPerSample: 16, compression: .lzw, predictor: 2)),
        ("c-rgb8.tif", TIFFSpec(width: 64, height: 48, samplesPerPixel: 3)),
        ("d-rgb16.tif", TIFFSpec(width: 33, height: 77, bitsPerSample: 16, samplesPerPixel: 3, compression: .adobeDeflate)),
        ("e-stack.tif", TIFFSpec(width: 60, height: 40, pages: 3)),
        ("f-rgba8.tif", TIFFSpec(width: 41, height: 41, samplesPerPixel: 4)),
    ]

    static func writeCorpus(into directory: String) throws {
        for (index, entry) in corpus.enumerated() {
            try writeTIFF(directory + "/" + entry.name, entry.spec, seed: UInt32(10 + index))
        }
    }

    /// One run of `convert` in a format, given as flags.
    struct Mode: CustomTestStringConvertible, Sendable {
        var flags: [String]
        var format: OutputFormat
        var testDescription: String { flags.isEmpty ? "defaults" : flags.joined(separator: " ") }
    }

    static let modes: [Mode] = [
        Mode(flags: [], format: .default),
        Mode(flags: ["--dtype", "uint16"], format: OutputFormat(dtype: .uint16)),
        Mode(flags: ["--dtype", "float32"], format: OutputFormat(dtype: .float32)),
        Mode(flags: ["--color", "rgb"], format: OutputFormat(color: .rgb)),
        Mode(flags: ["--dtype", "uint16", "--color", "rgb"], format: OutputFormat(dtype: .uint16, color: .rgb)),
        Mode(
            flags: ["--dtype", "float32", "--color", "rgb", "--resize", "crop"],
            format: OutputFormat(dtype: .float32, color: .rgb, resize: .crop)),
        Mode(flags: ["--resize", "fit", "--pad-value", "255"], format: OutputFormat(resize: .fit, padValue: 255)),
        Mode(
            flags: ["--dtype", "uint16", "--color", "rgb", "--resize", "fit", "--pad-value", "65535"],
            format: OutputFormat(dtype: .uint16, color: .rgb, resize: .fit, padValue: 65535)),
        // A negative pad value after its flag: parsed as a value, not as a flag.
        Mode(
            flags: ["--dtype", "float32", "--resize", "fit", "--pad-value", "-1.5"],
            format: OutputFormat(dtype: .float32, resize: .fit, padValue: -1.5)),
        Mode(flags: ["--resize", "crop", "--pad-value", "9"], format: OutputFormat(resize: .crop, padValue: 9)),
    ]

    @Test(arguments: modes)
    func convertPublishesEachOutputModeAsTheKernelReferenceDecodesIt(_ mode: Mode) throws {
        let h = try ConvertHarness("options", width: 40, height: 30)
        try Self.writeCorpus(into: h.source)
        let result = try h.convert(["--shard-size", "4"] + mode.flags)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try OutputCheck(sourceRoot: h.source, output: h.output(), width: 40, height: 30, format: mode.format)
            .run(scratch: h.root.path)
        #expect(report.problems == [])
        #expect(report.rows == Self.corpus.map { "\($0.name)#0" })
        #expect(report.shards.map(\.rows) == [4, 2])
        let shape = mode.format.color == .rgb ? [30, 40, 3] : [30, 40]
        #expect(report.shards.allSatisfy { $0.descr == mode.format.dtype.npyDescriptor && Array($0.shape.dropFirst()) == shape })
    }

    /// The default run is byte for byte what the flags of the defaults give, and its shards are today's `|u1`.
    @Test func theDefaultsAreTheExplicitDefaults() throws {
        let h = try ConvertHarness("options-default", width: 40, height: 30)
        try Self.writeCorpus(into: h.source)
        #expect(try h.convert(into: h.output("plain")).status == 0)
        let explicit = ["--dtype", "uint8", "--color", "gray", "--pages", "first", "--resize", "stretch", "--pad-value", "0"]
        #expect(try h.convert(into: h.output("explicit"), explicit).status == 0)
        for name in ConvertHarness.files(shards: 0..<1, rejected: false) {
            let plain = try Data(contentsOf: URL(fileURLWithPath: h.output("plain") + "/" + name))
            let other = try Data(contentsOf: URL(fileURLWithPath: h.output("explicit") + "/" + name))
            #expect(plain == other, "\(name)")
        }
        let header = try Data(contentsOf: URL(fileURLWithPath: h.output("plain") + "/shard-00000000.npy")).prefix(128)
        #expect(String(decoding: header, as: UTF8.self).contains("{'descr': '|u1', 'fortran_order': False, 'shape': (6, 30, 40), }"))
    }

    /// The environment and a configuration file set the options too, flags winning, as for every key.
    @Test func variablesAndTheConfigurationFileSetTheOptions() throws {
        let h = try ConvertHarness("options-layers", width: 40, height: 30)
        try Self.writeCorpus(into: h.source)
        let config = h.root("tiffshard.yaml")
        try "dtype: uint16\nresize: fit\npad-value: 300\ncolor: rgb\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try h.convert(
            ["--config", config, "--color", "gray"], environment: ["TIFFSHARD_DTYPE": "float32", "TIFFSHARD_PAD_VALUE": "0.25"])
        #expect(result.status == 0, "\(result.standardError)")
        let format = OutputFormat(dtype: .float32, color: .gray, resize: .fit, padValue: 0.25)
        let report = try OutputCheck(sourceRoot: h.source, output: h.output(), width: 40, height: 30, format: format)
            .run(scratch: h.root.path)
        #expect(report.problems == [])
        #expect(report.rows.count == Self.corpus.count)
    }

    /// A pad value the dtype cannot hold stops convert before it starts: 64 from a flag, 78 from a variable.
    @Test func aPadValueTheDtypeCannotHoldIsRefused() throws {
        let h = try ConvertHarness("options-pad", width: 40, height: 30)
        try Self.writeCorpus(into: h.source)
        let flag = try h.convert(["--pad-value", "256"])
        #expect(flag.status == 64)
        #expect(flag.standardError.contains("invalid value '256' for pad-value (from --pad-value): expected an integer from 0 to 255 for dtype uint8"))
        let variable = try h.convert(["--dtype", "uint16"], environment: ["TIFFSHARD_PAD_VALUE": "-1"])
        #expect(variable.status == 78)
        #expect(variable.standardError.contains("for dtype uint16 (from --dtype)"))
        #expect(!FileManager.default.fileExists(atPath: h.output()))
    }

    /// `check-config` lists the options with their origins and the memory they imply, and refuses a pad value
    /// the dtype cannot hold, naming the dtype (exit 78).
    @Test func checkConfigShowsAndChecksTheOptions() throws {
        let dir = try TemporaryDirectory("options-check")
        let ok = try CommandRunner.run(
            TiffshardBinary.path, ["check-config", "--dtype", "float32", "--color", "rgb", "--resize", "fit", "--pad-value", "-0.5"],
            environment: ConvertHarness.environment(["TIFFSHARD_PAGES": "all"]), currentDirectory: dir.path)
        #expect(ok.status == 0, "\(ok.standardError)")
        let rows = ok.standardOutput.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.contains(["dtype", "float32", "--dtype"]))
        #expect(rows.contains(["color", "rgb", "--color"]))
        #expect(rows.contains(["pages", "all", "environment", "TIFFSHARD_PAGES"]))
        #expect(rows.contains(["resize", "fit", "--resize"]))
        #expect(rows.contains(["pad-value", "-0.5", "--pad-value"]))
        // 1024 x 128 x 128 x 3 channels x 4 bytes.
        #expect(ok.standardOutput.contains("shard: 1024 images of 128x128 float32 rgb = 192 MiB per .npy file"))
        let bad = try CommandRunner.run(
            TiffshardBinary.path, ["check-config", "--dtype", "uint16", "--pad-value", "70000"],
            environment: ConvertHarness.environment([:]), currentDirectory: dir.path)
        #expect(bad.status == 78)
        #expect(bad.standardError.contains(
            "invalid value '70000' for pad-value (from --pad-value): expected an integer from 0 to 65535 for dtype uint16 (from --dtype)"))
    }

    /// `pages: all`: every page of a multi-page file is its own row (page 0, 1, 2), each as the reference
    /// decodes that page; single-page files give one row.
    @Test func pagesAllPublishesEveryPage() throws {
        let h = try ConvertHarness("options-pages", width: 40, height: 30)
        try Self.writeCorpus(into: h.source)
        let result = try h.convert(["--pages", "all", "--dtype", "uint16"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try OutputCheck(
            sourceRoot: h.source, output: h.output(), width: 40, height: 30,
            format: OutputFormat(dtype: .uint16, pages: .all)
        ).run(scratch: h.root.path)
        // What is published is right, page by page.
        #expect(report.problems == [])
        let everyPage = Self.corpus.flatMap { entry in (0..<Int(entry.spec.pages)).map { "\(entry.name)#\($0)" } }
        // Every page once; a file's pages in page order (files interleave through the engine's window of
        // first pages, see README "pages: all").
        #expect(report.rows.sorted() == everyPage.sorted())
        for entry in Self.corpus {
            let mine = report.rows.filter { $0.hasPrefix("\(entry.name)#") }
            #expect(mine == (0..<Int(entry.spec.pages)).map { "\(entry.name)#\($0)" })
        }
    }
}
