import Testing

@testable import TiffShardCore

@Test func partitionedNamesSortInPartitionOrderAndRoundTrip() throws {
    let p = try Partition(index: 3, count: 16)
    let naming = ShardNaming(partition: p)
    #expect(naming.arrayName(0) == "part-0003-of-0016.shard-00000000.npy")
    #expect(naming.manifestName(12) == "part-0003-of-0016.shard-00000012.jsonl")
    #expect(naming.markerName == "part-0003-of-0016.done.json")
    #expect(naming.rejectionLogName == "part-0003-of-0016.rejected.jsonl")
    #expect(ShardNaming(prefix: "cam1", partition: p).arrayName(1) == "cam1-part-0003-of-0016.shard-00000001.npy")
    #expect(naming.sequence(of: "part-0003-of-0016.shard-00000012.jsonl") == 12)
    #expect(naming.sequence(of: "part-0004-of-0016.shard-00000012.jsonl") == nil)
    #expect(ShardNaming().sequence(of: "part-0003-of-0016.shard-00000012.jsonl") == nil)
    #expect(naming.isTemporary(".part-0003-of-0016.shard-00000000.npy.tmp"))
    #expect(naming.isTemporary(".part-0003-of-0016.done.json.tmp"))
    #expect(!naming.isTemporary(".part-0004-of-0016.done.json.tmp"))
    #expect(ShardNaming.markerName(of: ShardNaming()) == nil)
    var names: [String] = []
    for i in (0..<16).reversed() {
        let writer = ShardNaming(partition: try Partition(index: i, count: 16))
        names += [writer.arrayName(0), writer.arrayName(1)]
    }
    let parsed = names.compactMap { ShardNaming.parse($0) }.sorted { ($0.naming, $0.sequence) < ($1.naming, $1.sequence) }
    #expect(parsed.map { $0.naming.arrayName($0.sequence) } == names.sorted(), "global order is name order")
    for writer in [ShardNaming(), ShardNaming(prefix: "a"), ShardNaming(prefix: "x-shard"), naming,
                   ShardNaming(prefix: "cam-1", partition: p)] {
        for sequence in [0, 7, 123_456_789] {
            let a = try #require(ShardNaming.parse(writer.arrayName(sequence)))
            #expect(a.naming == writer && a.sequence == sequence && a.isArray)
            let m = try #require(ShardNaming.parse(writer.manifestName(sequence)))
            #expect(m.naming == writer && m.sequence == sequence && !m.isArray)
        }
    }
    for other in ["index.json", "rejected.jsonl", "part-0003-of-0016.rejected.jsonl", "part-3-of-16.shard-00000000.npy",
                  "shard-0000000.npy", ".shard-00000000.npy.tmp", "part-0003-of-0016-shard-00000000.npy.x"] {
        #expect(ShardNaming.parse(other) == nil, "\(other)")
    }
}

extension ShardNaming {
    static func markerName(of naming: ShardNaming) -> String? { naming.markerName }
}

@Test func aFolderListsWritersShardsMarkersAndLeftoversInGlobalOrder() throws {
    let names = [
        "b-shard-00000000.npy", "b-shard-00000000.jsonl", "a-shard-00000001.npy", "a-shard-00000001.jsonl",
        "a-shard-00000000.npy", "a-shard-00000000.jsonl",
        "part-0001-of-0002.shard-00000000.npy", "part-0001-of-0002.shard-00000000.jsonl",
        "part-0000-of-0002.shard-00000001.jsonl",  // cut off between its renames
        "part-0000-of-0002.shard-00000000.npy", "part-0000-of-0002.shard-00000000.jsonl",
        "part-0000-of-0002.done.json", ".part-0001-of-0002.shard-00000001.npy.tmp", ".index.json.tmp-12-34",
        "part-0000-of-0002.rejected.jsonl", "index.json", "notes.txt",
    ]
    let folder = OutputFolder(names: names)
    #expect(folder.published.map(\.arrayName) == [
        "part-0000-of-0002.shard-00000000.npy", "part-0001-of-0002.shard-00000000.npy",
        "a-shard-00000000.npy", "a-shard-00000001.npy", "b-shard-00000000.npy",
    ])
    #expect(folder.unfinished.map(\.manifestName) == ["part-0000-of-0002.shard-00000001.jsonl"])
    #expect(folder.markers == [ShardNaming(partition: try Partition(index: 0, count: 2)): "part-0000-of-0002.done.json"])
    #expect(folder.temporary == [".index.json.tmp-12-34", ".part-0001-of-0002.shard-00000001.npy.tmp"])
    #expect(folder.others == ["index.json", "notes.txt", "part-0000-of-0002.rejected.jsonl"])
    #expect(folder.partitionSets == [OutputFolder.PartitionSet(prefix: "", count: 2, present: [0, 1])])
}
