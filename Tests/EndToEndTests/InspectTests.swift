import Foundation
import TestSupport
import Testing

/// `tiffshard inspect OUT` on real `convert` output: consistent (exit 0); then on broken copies it names each
/// fault the issue lists — a truncated `.npy`, a manifest with a missing or an extra line, a source listed in
/// two shards — and exits 1.
@Suite struct InspectTests {
    func inspect(_ folder: String, json: Bool = true) throws -> (status: Int32, report: [String: Any]) {
        let result = try CommandRunner.run(TiffshardBinary.path, ["inspect", folder] + (json ? ["--json"] : []))
        let object = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any] ?? [:]
        return (result.status, object)
    }

    func copy(_ from: String, _ to: String) throws {
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    @Test func consistentOutputPassesAndEachFaultIsNamed() throws {
        let h = try ConvertHarness("inspect", width: 12, height: 10)
        try h.writeGood((0..<30).map { "f\($0).tif" })
        #expect(try h.convert(["--shard-size", "10"]).status == 0)
        let good = try inspect(h.output())
        #expect(good.status == 0)
        #expect(good.report["consistent"] as? Bool == true && good.report["images"] as? Int == 30)
        #expect(good.report["shard_count"] as? Int == 3 && (good.report["geometries"] as? [String]) == ["10x12"])
        let text = try CommandRunner.run(TiffshardBinary.path, ["inspect", h.output()])
        #expect(text.status == 0 && text.standardOutput.contains("30 images in 3 shards"))

        // A truncated .npy.
        let truncated = h.output("truncated")
        try copy(h.output(), truncated)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: truncated + "/shard-00000001.npy"))
        try handle.truncate(atOffset: try handle.seekToEnd() - 7)
        try handle.close()
        let t = try inspect(truncated)
        #expect(t.status == 1)
        #expect((t.report["problems"] as? [String])?.contains { $0.hasPrefix("shard-00000001.npy:") && $0.contains("truncated") } == true)

        // A manifest line missing, another manifest with one extra.
        let lines = h.output("lines")
        try copy(h.output(), lines)
        let first = lines + "/shard-00000000.jsonl"
        var text0 = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n").map(String.init)
        let moved = text0.removeLast()
        try (text0.joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
        let second = lines + "/shard-00000002.jsonl"
        try (try String(contentsOfFile: second, encoding: .utf8) + moved + "\n").write(toFile: second, atomically: true, encoding: .utf8)
        let l = try inspect(lines)
        let lineProblems = l.report["problems"] as? [String] ?? []
        #expect(l.status == 1)
        #expect(lineProblems.contains("shard-00000000.jsonl: 9 lines for 10 rows"))
        #expect(lineProblems.contains("shard-00000002.jsonl: 11 lines for 10 rows"))

        // A source in two shards: shard 0 published again under another number.
        let twice = h.output("twice")
        try copy(h.output(), twice)
        try copy(twice + "/shard-00000000.npy", twice + "/shard-00000007.npy")
        try copy(twice + "/shard-00000000.jsonl", twice + "/shard-00000007.jsonl")
        let d = try inspect(twice)
        let twiceProblems = d.report["problems"] as? [String] ?? []
        #expect(d.status == 1)
        #expect(twiceProblems.contains { $0.contains("is in two rows: shard-00000000.npy row 0 and shard-00000007.npy row 0") })
        // The gap (3..6) is explained, not an error.
        #expect((d.report["notes"] as? [String])?.contains { $0.contains("no shard number 3, 4, 5, 6") } == true)
        #expect(try inspect(h.output() + "/missing").status == 66)
    }
}
