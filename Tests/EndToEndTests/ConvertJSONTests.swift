import Foundation
import TestSupport
import Testing

/// `convert --json`: one summary object on standard output that a script can read, with the same counts as
/// the shards and the rejection log.
@Test func convertJSONSummaryMatchesWhatWasPublished() throws {
    let h = try ConvertHarness("convert-json", width: 8, height: 8)
    try h.writeGood((0..<12).map { "g\($0).tif" })
    try Data("not a tiff".utf8).write(to: URL(fileURLWithPath: h.source + "/bad.tif"))
    let result = try h.convert(["--json", "--shard-size", "5"])
    #expect(result.status == 0, "\(result.standardError)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(summary["images"] as? Int == 12 && summary["sources"] as? Int == 12 && summary["shards"] as? Int == 3)
    #expect(summary["rejected"] as? Int == 1)
    #expect((summary["rejected_by_category"] as? [String: Int]) == ["not-tiff": 1])
    #expect(summary["exit_code"] as? Int == 0 && summary["partition"] is NSNull)
    #expect((summary["seconds"] as? Double ?? 0) > 0 && summary["output"] as? String == h.output())
    // Without --json, standard output stays empty (the human summary is on standard error).
    #expect(try h.convert(into: h.output("plain")).standardOutput.isEmpty)
}
