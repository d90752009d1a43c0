import Foundation
import TestSupport
import Testing

/// The TIFFs of `Tests/corpus/make_real_writers.py` (GDAL, ImageMagick, libvips, Pillow, tifffile, libtiff
/// tools), generated into a temporary directory, with what `corpus.json` says of each.
final class RealWriterCorpus: Sendable {
    /// One line of `corpus.json`'s `files`.
    struct Entry: Decodable, Sendable {
        var name: String
        var writer: String
        var kind: String
        var width: Int?
        var height: Int?
        var pages: Int?
    }

    /// A kind a writer declined to produce, with its message.
    struct Skipped: Decodable, Sendable {
        var name: String
        var reason: String
    }

    private struct Document: Decodable {
        var files: [Entry]
        var skipped: [Skipped]
    }

    /// The generator's failure (a writer not installed exits 2 and names it).
    struct GenerationFailed: Error, CustomStringConvertible {
        var status: Int32
        var standardError: String
        var description: String { "make_real_writers.py exited \(status): \(standardError)" }
    }

    /// The corpus of the running suite (set by the `.realWriterCorpus` trait).
    @TaskLocal static var current: RealWriterCorpus?

    let directory: TemporaryDirectory
    let files: [Entry]
    let skipped: [Skipped]

    /// `Tests/corpus/make_real_writers.py`, found from this source file.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("corpus/make_real_writers.py").path
    }

    /// Runs the generator (`python3 make_real_writers.py DIR`) and reads `DIR/corpus.json`.
    init() throws {
        directory = try TemporaryDirectory("real-writers")
        let result = try CommandRunner.run("/usr/bin/env", ["python3", Self.script, directory.path], timeout: 300)
        guard result.status == 0 else {
            throw GenerationFailed(status: result.status, standardError: result.standardError)
        }
        // The by-value references of dtype float32 (Tests/corpus/by_value.py).
        let byValue = URL(fileURLWithPath: Self.script).deletingLastPathComponent().appendingPathComponent("by_value.py").path
        let references = try CommandRunner.run("/usr/bin/env", ["python3", byValue, directory.path], timeout: 300)
        guard references.status == 0 else {
            throw GenerationFailed(status: references.status, standardError: references.standardError)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("corpus.json")))
        let document = try JSONDecoder().decode(Document.self, from: data)
        files = document.files
        skipped = document.skipped
    }

    /// Absolute path of a corpus file.
    func path(of entry: Entry) -> String { directory.file(entry.name) }

    /// tifffile's decode of page `page` by value in float32 as the contract defines it for gray or rgb
    /// (`by_value.py`), nil if tifffile could not decode it or its samples are not by-value material.
    func byValue(_ entry: Entry, page: Int, rgb: Bool) -> [UInt8]? {
        let name = directory.file("\(entry.name).p\(page).byvalue-\(rgb ? "rgb" : "gray").f32")
        return FileManager.default.contents(atPath: name).map { [UInt8]($0) }
    }

    deinit { directory.remove() }
}

/// Generates the real-writer corpus once around the suite it is applied to, and removes it afterwards.
struct RealWriterCorpusTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let corpus = try RealWriterCorpus()
        try await RealWriterCorpus.$current.withValue(corpus) { try await function() }
    }
}

extension Trait where Self == RealWriterCorpusTrait {
    /// The suite's tests read `RealWriterCorpus.current`, generated once for all of them.
    static var realWriterCorpus: Self { Self() }
}
