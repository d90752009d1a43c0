import CImageKernel
import Foundation
import TestSupport
import Testing
import TiffShardCore

/// The real-writer corpus (GDAL, ImageMagick, libvips, Pillow, tifffile, libtiff tools) through the real
/// `convert`: every published row equals the kernel's reference decode bit for bit, and every file is either
/// published or rejected — never lost, never decoded where the reference refuses it.
@Suite struct RealWriterConvertTests {
    /// `Tests/corpus/make_real_writers.py`, found from this source file.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("corpus/make_real_writers.py").path
    }

    @Test(arguments: [
        (OutputFormat.default, [String]()),
        (OutputFormat(color: .rgb, pages: .all, resize: .fit, padValue: 17),
         ["--color", "rgb", "--pages", "all", "--resize", "fit", "--pad-value", "17"]),
    ])
    func everyFileIsPublishedAsTheReferenceDecodesItOrRejected(format: OutputFormat, flags: [String]) throws {
        let h = try ConvertHarness("real-writers", width: 61, height: 47)
        let generated = try CommandRunner.run("/usr/bin/env", ["python3", Self.script, h.source], timeout: 300)
        try #require(generated.status == 0, "\(generated.standardError)")
        // The generator's own files (corpus.json, tifffile's .npy) are not candidates.
        let sources = try FileManager.default.contentsOfDirectory(atPath: h.source).filter { $0.hasSuffix(".tif") }
        #expect(sources.count > 300)
        let result = try h.convert(flags + ["--shard-size", "64"], timeout: 300)
        #expect(result.status == 0 || result.status == 1, "\(result.standardError)")
        let report = try OutputCheck(sourceRoot: h.source, output: h.output(), width: 61, height: 47, format: format)
            .run(scratch: h.root.path)
        #expect(report.problems == [], "\(report.problems.prefix(5))")
        let published = Set(report.rows.map { String($0.split(separator: "#")[0]) })
        let rejectedLines = (try? String(contentsOfFile: h.output() + "/rejected.jsonl", encoding: .utf8)) ?? ""
        let rejected = rejectedLines.split(separator: "\n").compactMap { JSONObjectParser.parse(String($0))?["source"]?.stringValue }
        #expect(published.isDisjoint(with: rejected), "a file both published and rejected")
        #expect(published.union(rejected) == Set(sources), "every file published or rejected")
        // A rejected file is one the reference cannot decode (page 0), or whose codec libtiff lacks.
        tsk_init()
        let kernel = OutputCheck(sourceRoot: h.source, output: h.output(), width: 61, height: 47, format: format).kernelOutput
        for name in rejected where format.pages == .first {
            let reference = OutputCheck.reference(h.source + "/" + name, page: 0, kernel)
            let reason = rejectedLines.split(separator: "\n").first { $0.contains("\"\(name)\"") } ?? ""
            #expect(reference == nil || reason.contains("is not available in this libtiff"), "\(name) rejected: \(reason)")
        }
        #expect(report.rows.count > 250)
    }
}
