import Foundation
import Glibc
import TestSupport

/// One `tiffshard convert` scenario: a source folder in a temp directory, runs of the built binary into
/// output folders beside it, and the Python check of what they published.
final class ConvertHarness {
    let root: TemporaryDirectory
    let source: String
    let width: Int
    let height: Int

    init(_ label: String, width: Int = 32, height: Int = 24) throws {
        root = try TemporaryDirectory(label)
        source = try root.directory("src")
        self.width = width
        self.height = height
    }

    /// `root/name`, an output directory (convert creates it).
    func output(_ name: String = "out") -> String { root(name) }

    /// The environment of a run: ours without fault injection, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TIFFSHARD_FAULT_INJECT"] = nil
        env.merge(extra) { $1 }
        return env
    }

    /// The arguments of `tiffshard convert` into `output` at this geometry, two workers unless `extra` says.
    func arguments(into output: String, _ extra: [String] = []) -> [String] {
        var arguments = ["convert", source, output, "--width", String(width), "--height", String(height)]
        if !extra.contains("--workers") { arguments += ["--workers", "2"] }
        return arguments + extra
    }

    /// Runs `tiffshard convert` to completion (stderr is a file, not a terminal).
    @discardableResult
    func convert(into output: String? = nil, _ extra: [String] = [], environment: [String: String] = [:],
                 timeout: Double = 60) throws -> CommandResult {
        try CommandRunner.run(
            TiffshardBinary.path, arguments(into: output ?? self.output(), extra),
            environment: Self.environment(environment), timeout: timeout)
    }

    /// Writes gray8 MiniTIFFs `names` into the source folder (content and size vary with `firstSeed + index`).
    func writeGood(_ names: [String], firstSeed: Int = 1) throws {
        for (i, name) in names.enumerated() {
            let seed = firstSeed + i
            try MiniTIFF.write(source + "/" + name, width: 40 + seed % 7, height: 30 + seed % 5, seed: UInt32(seed))
        }
    }

    /// Checks one output directory against the sources (numpy, json, OpenCV, tifffile).
    func check(_ output: String? = nil, interpolation: String = "linear", tolerance: Int = 0) throws -> ShardCheck.Report {
        try ShardCheck.run(
            source: source, width: width, height: height, output: output ?? self.output(),
            interpolation: interpolation, tolerance: tolerance)
    }

    /// Names in an output directory, sorted.
    func listing(_ output: String? = nil) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output ?? self.output())) ?? []).sorted()
    }

    /// `shard-NNNNNNNN.npy` and `.jsonl` names for sequences `range`, plus `rejected.jsonl` if `rejected`.
    static func files(shards range: Range<Int>, rejected: Bool) -> [String] {
        let shards = range.flatMap { n -> [String] in
            let name = "shard-" + String(repeating: "0", count: 8 - String(n).count) + String(n)
            return [name + ".jsonl", name + ".npy"]
        }
        return (shards + (rejected ? ["rejected.jsonl"] : [])).sorted()
    }

    /// The last non-empty line of `text`.
    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? ""
    }
}
