import Foundation
import Glibc
import Testing
import TestSupport

/// `tiffshard convert SRC OUT`: what it publishes, in which order, how it splits, and that it is repeatable.
@Suite(.serialized)
struct ConvertTests {
    @Test func mixedTiffsBecomeShardsThatNumpyLoadsAndThatMatchOpenCV() throws {
        let h = try ConvertHarness("mixed", width: 48, height: 40)
        let names = try TIFFCorpus.writeMixed(into: h.source, count: 42)
        let run = try h.convert(["--shard-size", "16"])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try h.check()
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.shards.map(\.rows) == [16, 16, 10])
        #expect(report.sources == names)
        #expect(report.rejected == [])
        #expect(h.listing().filter { $0 != "rejected.jsonl" } == ConvertHarness.files(shards: 0..<3, rejected: false))
        // The kernel reports the source's own header (page 0). A stand-in kernel that does not fails here.
        #expect(report.metadata == [])
    }

    @Test func everyInterpolationMatchesOpenCV() throws {
        let h = try ConvertHarness("interpolation", width: 40, height: 36)
        let names = try TIFFCorpus.writeMixed(into: h.source, count: TIFFCorpus.kinds.count)
        var expectations: [ShardCheck.Expectation] = []
        for mode in ["area", "nearest", "cubic", "lanczos"] {
            let run = try h.convert(into: h.output(mode), ["--interpolation", mode])
            #expect(run.status == 0, "\(mode): \(run.standardError)")
            // Debian's OpenCV 4.6 (linked) and pip's cv2 5.0 (the reference) round bicubic weights
            // differently: about 4% of pixels differ by exactly 1. Every other mode is bit-exact.
            expectations.append(.init(output: h.output(mode), interpolation: mode, tolerance: mode == "cubic" ? 1 : 0))
        }
        let reports = try ShardCheck.run(source: h.source, width: h.width, height: h.height, expectations)
        for (expectation, report) in zip(expectations, reports) {
            #expect(report.structure == [], "\(expectation.interpolation)")
            #expect(report.pixels == [], "\(expectation.interpolation)")
            #expect(report.sources == names, "\(expectation.interpolation)")
        }
    }

    @Test func shardSizeSplitsIntoCeilNShardsWithTheLastPartial() throws {
        let h = try ConvertHarness("shardsize")
        let good = (0..<10).map { "g\($0).tif" }
        try h.writeGood(good)
        #expect(try h.convert(into: h.output("k4"), ["--shard-size", "4"]).status == 0)
        #expect(try h.convert(into: h.output("k5"), ["--shard-size", "5"]).status == 0)
        #expect(try h.convert(into: h.output("k99"), ["--shard-size", "99"]).status == 0)
        let reports = try ShardCheck.run(
            source: h.source, width: h.width, height: h.height,
            [.init(output: h.output("k4")), .init(output: h.output("k5")), .init(output: h.output("k99"))])
        #expect(reports.map { $0.shards.map(\.rows) } == [[4, 4, 2], [5, 5], [10]])  // N % K == 0: no empty shard
        for report in reports {
            #expect(report.sources == good)
            #expect(report.structure == [])
            #expect(report.pixels == [])
        }
        #expect(h.listing(h.output("k4")).filter { $0 != "rejected.jsonl" } == ConvertHarness.files(shards: 0..<3, rejected: false))
    }

    @Test func rejectedFilesAreCompactedOutOfTheirShards() throws {
        let h = try ConvertHarness("compaction")
        let good = (0..<10).map { "g\($0).tif" }
        try h.writeGood(good)
        // Bad files sorted among the good ones: they must leave no gaps and no zero images behind.
        let bad = ["g0x.tif", "g4x.tif", "g9x.tif"]
        for name in bad { try Data("not a tiff".utf8).write(to: URL(fileURLWithPath: h.source + "/" + name)) }
        #expect(try h.convert(["--shard-size", "4"]).status == 0)
        let report = try h.check()
        #expect(report.sources == good)
        #expect(report.structure == [])  // rows numbered 0..<n in every manifest, n == the .npy's first dimension
        #expect(report.pixels == [])  // every row is its source's image: none is all zero
        #expect(report.rejected.map(\.source).sorted() == bad)
        #expect(report.shards.allSatisfy { (1...4).contains($0.rows) })
        // Rows are assigned in dispatch order before decoding; a rejected file's row is compacted out,
        // not refilled, so shards holding rejected files are shorter (documented in the README).
        #expect(report.shards.map(\.rows).reduce(0, +) == 10)
    }

    @Test func convertIsDeterministic() throws {
        let h = try ConvertHarness("deterministic")
        try TIFFCorpus.writeMixed(into: h.source, count: 20)
        try Data().write(to: URL(fileURLWithPath: h.source + "/005-empty.tif"))
        // Different worker counts and batch sizes change which process decodes what, and when.
        let a = try h.convert(into: h.output("a"), ["--shard-size", "8", "--workers", "1"])
        let b = try h.convert(into: h.output("b"), ["--shard-size", "8", "--workers", "2", "--batch-size", "1"])
        #expect(a.status == 0 && b.status == 0)
        let files = h.listing(h.output("a"))
        #expect(files == ConvertHarness.files(shards: 0..<3, rejected: true))
        #expect(h.listing(h.output("b")) == files)
        for name in files where name.hasPrefix("shard-") {
            let first = FileManager.default.contents(atPath: h.output("a") + "/" + name)
            let second = FileManager.default.contents(atPath: h.output("b") + "/" + name)
            #expect(first != nil && first == second, "\(name) differs between runs")
        }
        // rejected.jsonl records when it happened; what and why must be the same.
        let reports = try ShardCheck.run(source: h.source, width: h.width, height: h.height,
                                         [.init(output: h.output("a")), .init(output: h.output("b"))])
        #expect(reports[0].rejected == reports[1].rejected)
        #expect(reports[0].rejected.map(\.source) == ["005-empty.tif"])
    }

    @Test func secondRunContinuesTheSequenceAndNeverOverwrites() throws {
        let h = try ConvertHarness("sequence")
        try h.writeGood(["a.tif", "b.tif", "c.tif"])
        try Data("junk".utf8).write(to: URL(fileURLWithPath: h.source + "/bad.tif"))
        #expect(try h.convert().status == 0)
        let first = try snapshot(h)
        #expect(first.keys.sorted() == ConvertHarness.files(shards: 0..<1, rejected: true))

        try h.writeGood(["d.tif", "e.tif"], firstSeed: 4)
        #expect(try h.convert().status == 0)
        #expect(h.listing() == ConvertHarness.files(shards: 0..<2, rejected: true))
        let second = try snapshot(h)
        for (name, bytes) in first where name.hasPrefix("shard-") { #expect(second[name] == bytes, "\(name) was rewritten") }

        try FileManager.default.removeItem(atPath: h.source + "/bad.tif")
        #expect(try h.convert(["--shard-size", "2"]).status == 0)
        #expect(h.listing() == ConvertHarness.files(shards: 0..<5, rejected: true))
        let third = try snapshot(h)
        for (name, bytes) in second where name.hasPrefix("shard-") { #expect(third[name] == bytes, "\(name) was rewritten") }

        let report = try h.check()
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.shards.map(\.rows) == [3, 5, 2, 2, 1])
        #expect(report.sources == ["a.tif", "b.tif", "c.tif"] + Array(repeating: ["a.tif", "b.tif", "c.tif", "d.tif", "e.tif"], count: 2).flatMap { $0 })
        // The rejection log is appended to: one record from each run that saw the bad file.
        #expect(report.rejected.map(\.source) == ["bad.tif", "bad.tif"])
    }

    @Test func recursiveDescendsIntoSubdirectoriesWithRelativePathsAndOtherwiseIgnoresThem() throws {
        let h = try ConvertHarness("recursive")
        try h.root.directory("src/sub/deeper")
        try h.root.directory("src/.hidden")
        try h.writeGood(["a.tif", "sub/x.tif", "sub/deeper/y.tif", ".hidden/z.tif"])
        try Data("notes".utf8).write(to: URL(fileURLWithPath: h.source + "/sub/notes.txt"))
        #expect(try h.convert(into: h.output("flat")).status == 0)
        #expect(try h.convert(into: h.output("deep"), ["--recursive"]).status == 0)
        let reports = try ShardCheck.run(source: h.source, width: h.width, height: h.height,
                                         [.init(output: h.output("flat")), .init(output: h.output("deep"))])
        #expect(reports[0].sources == ["a.tif"])
        #expect(reports[0].rejected == [])  // a subdirectory is not a rejected file
        #expect(reports[1].sources == ["a.tif", "sub/deeper/y.tif", "sub/x.tif"])  // hidden directories never
        #expect(reports[1].rejected == [])
        for report in reports {
            #expect(report.structure == [])
            #expect(report.pixels == [])
        }
    }

    /// Every file in the output directory, by name.
    private func snapshot(_ h: ConvertHarness) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in h.listing() { files[name] = FileManager.default.contents(atPath: h.output() + "/" + name) }
        return files
    }
}
