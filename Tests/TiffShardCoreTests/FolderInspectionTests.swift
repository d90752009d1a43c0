import Testing

@testable import TiffShardCore

/// `tiffshard inspect`'s verdict from what was read of a folder: the three faults the issue names (a truncated
/// `.npy`, a manifest with a missing or extra line, a source in two shards) are problems; gaps in numbering and
/// leftovers are notes.
@Suite struct FolderInspectionTests {
    static func record(_ row: Int, _ source: String, page: Int = 0) -> ManifestRecord {
        ManifestRecord(
            row: row, source: SourceIdentity(relativePath: SourcePath(source), size: 100, modificationTimeNanoseconds: 7),
            info: SourceInfo(width: 8, height: 8, bitsPerSample: 8, channels: 1, pages: 1), page: page)
    }

    static func shard(_ sequence: Int, _ sources: [String], size: Int64? = nil, lines: [ManifestRecord?]? = nil)
        -> FolderInspection.ShardFacts
    {
        let header = NPYHeader(rows: sources.count, height: 4, width: 5)
        let offset = header.encoded().count
        let naming = ShardNaming()
        return FolderInspection.ShardFacts(
            arrayName: naming.arrayName(sequence), manifestName: naming.manifestName(sequence),
            header: (header, offset), fileSize: size ?? Int64(offset + header.dataByteCount),
            manifest: lines ?? sources.enumerated().map { record($0.offset, $0.element) })
    }

    static func folder(_ sequences: [Int], extra: [String] = []) -> OutputFolder {
        let naming = ShardNaming()
        return OutputFolder(names: sequences.flatMap { [naming.arrayName($0), naming.manifestName($0)] } + extra)
    }

    @Test func aGoodFolderIsConsistent() {
        let inspection = FolderInspection(
            folder: Self.folder([0, 1]), facts: [Self.shard(0, ["a.tif", "b.tif"]), Self.shard(1, ["c.tif"])])
        #expect(inspection.isConsistent && inspection.problems == [] && inspection.notes == [])
        #expect(inspection.images == 3 && inspection.shards.count == 2 && inspection.geometries == ["4x5"])
        #expect(inspection.dtypes == ["uint8"] && inspection.writers == [""])
        #expect(inspection.json.contains(#""consistent": true"#))
    }

    @Test func aTruncatedArrayIsAProblem() {
        let good = Self.shard(0, ["a.tif", "b.tif"])
        let inspection = FolderInspection(
            folder: Self.folder([0]), facts: [Self.shard(0, ["a.tif", "b.tif"], size: good.fileSize - 1)])
        #expect(inspection.problems.count == 1 && inspection.problems[0].contains("(truncated)"))
    }

    @Test func missingExtraAndUnreadableManifestLinesAreProblems() {
        let missing = Self.shard(0, ["a.tif", "b.tif"], lines: [Self.record(0, "a.tif")])
        let extra = Self.shard(1, ["c.tif"], lines: [Self.record(0, "c.tif"), Self.record(1, "d.tif")])
        let unreadable = Self.shard(2, ["e.tif"], lines: [nil])
        let inspection = FolderInspection(folder: Self.folder([0, 1, 2]), facts: [missing, extra, unreadable])
        #expect(inspection.problems.contains("shard-00000000.jsonl: 1 lines for 2 rows"))
        #expect(inspection.problems.contains("shard-00000001.jsonl: 2 lines for 1 rows"))
        #expect(inspection.problems.contains("shard-00000002.jsonl line 1: not a manifest record"))
        #expect(!inspection.isConsistent)
    }

    @Test func aSourceInTwoShardsIsAProblemButTwoPagesOfOneFileAreNot() {
        let pages = Self.shard(0, ["m.tif", "m.tif"], lines: [Self.record(0, "m.tif", page: 0), Self.record(1, "m.tif", page: 1)])
        let twice = Self.shard(1, ["a.tif", "m.tif"], lines: [Self.record(0, "a.tif"), Self.record(1, "m.tif", page: 1)])
        let inspection = FolderInspection(folder: Self.folder([0, 1]), facts: [pages, twice])
        #expect(inspection.problems == ["m.tif page 1 is in two rows: shard-00000000.npy row 1 and shard-00000001.npy row 1"])
    }

    @Test func gapsAndLeftoversAreExplainedNotErrors() {
        let inspection = FolderInspection(
            folder: Self.folder([0, 3], extra: [".shard-00000004.npy.tmp", "shard-00000005.jsonl"]),
            facts: [Self.shard(0, ["a.tif"]), Self.shard(3, ["b.tif"])])
        #expect(inspection.isConsistent)
        #expect(inspection.notes.count == 3)
        #expect(inspection.notes[0].hasPrefix("shards: no shard number 1, 2 "))
        #expect(inspection.notes.contains { $0.hasPrefix("shard-00000005.jsonl without its .npy") })
        #expect(inspection.notes.contains { $0.hasPrefix(".shard-00000004.npy.tmp: temporary file") })
    }
}
