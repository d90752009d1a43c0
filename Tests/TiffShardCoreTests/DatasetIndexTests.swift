import Testing

@testable import TiffShardCore

private func marker(_ i: Int, of n: Int, images: Int, digest: String = "fnv1a64:0000000000000001") throws -> CompletionMarker {
    CompletionMarker(
        partition: try Partition(index: i, count: n), listTotal: 10, listDigest: digest, files: 3,
        firstSource: "a b.tif", lastSource: SourcePath(bytes: Array("c".utf8) + [0xff] + Array(".tif".utf8)),
        images: images, shards: 1, rejected: ["x.tif"], rejectedLog: "part-000\(i)-of-000\(n).rejected.jsonl",
        runImages: images, resumed: false, finishedNanoseconds: 1_795_650_000_123_456_789, seconds: 1.5,
        dtype: "uint8", color: "gray", pages: "first", width: 8, height: 4)
}

@Test func aCompletionMarkerRoundTrips() throws {
    let m = try marker(1, of: 4, images: 7)
    let text = m.encoded()
    #expect(text.hasSuffix("}\n"))
    #expect(text.contains("\"rejected_sources\": [\"x.tif\"]"))
    #expect(text.contains("\"last_source\": \"c\\udcff.tif\""))
    #expect(CompletionMarker.parse(text) == m)
    #expect(CompletionMarker.parse(text.replacingOccurrences("\"complete\": true", "\"complete\": false")) == nil)
    #expect(CompletionMarker.parse("{}") == nil)
    #expect(CompletionMarker.parse("not json") == nil)
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

private func shards(_ writer: ShardNaming, _ count: Int) -> [String] {
    (0..<count).flatMap { [writer.arrayName($0), writer.manifestName($0)] }
}

private func facts(_ folder: OutputFolder, rows: Int = 5) -> [String: DatasetIndex.ShardFacts] {
    Dictionary(uniqueKeysWithValues: folder.published.map {
        ($0.arrayName, DatasetIndex.ShardFacts(header: NPYHeader(rows: rows, height: 4, width: 8), manifestRows: rows))
    })
}

@Test func aCompleteSetOfPartitionsIsIndexedInGlobalOrder() throws {
    let p = try (0..<3).map { ShardNaming(partition: try Partition(index: $0, count: 3)) }
    let folder = OutputFolder(names: shards(p[2], 1) + shards(p[0], 2) + shards(p[1], 1) + p.map { $0.markerName! })
    let markers: [ShardNaming: CompletionMarker?] = [
        p[0]: try marker(0, of: 3, images: 10), p[1]: try marker(1, of: 3, images: 5), p[2]: try marker(2, of: 3, images: 5),
    ]
    let index = DatasetIndex(folder: folder, facts: facts(folder), markers: markers)
    #expect(index.isComplete, "\(index.problems)")
    #expect(index.images == 20)
    #expect(index.entries.map(\.shard.arrayName) == [
        "part-0000-of-0003.shard-00000000.npy", "part-0000-of-0003.shard-00000001.npy",
        "part-0001-of-0003.shard-00000000.npy", "part-0002-of-0003.shard-00000000.npy",
    ])
    #expect(index.entries.map(\.firstRow) == [0, 5, 10, 15])
    let json = index.encoded(createdNanoseconds: 0)
    #expect(json.contains("\"complete\": true"))
    #expect(json.contains("\"shape\": [4, 8]"))
    #expect(json.contains("\"done\": [0, 1, 2]"))
    #expect(json.contains("{\"file\": \"part-0000-of-0003.shard-00000000.npy\", \"manifest\": \"part-0000-of-0003.shard-00000000.jsonl\", \"rows\": 5, \"first_row\": 0"))
}

@Test func missingUnfinishedAndInconsistentPartitionsAreListed() throws {
    let p = try (0..<4).map { ShardNaming(partition: try Partition(index: $0, count: 4)) }
    // 0 done, 1 has shards but no marker, 2 has nothing, 3 done from another file list with a wrong count.
    let folder = OutputFolder(names: shards(p[0], 1) + shards(p[1], 1) + shards(p[3], 1) + [p[0].markerName!, p[3].markerName!])
    let index = DatasetIndex(
        folder: folder, facts: facts(folder),
        markers: [p[0]: try marker(0, of: 4, images: 5), p[3]: try marker(3, of: 4, images: 6, digest: "fnv1a64:2")])
    #expect(!index.isComplete)
    #expect(index.partitions(.unfinishedPartition) == [1])
    #expect(index.partitions(.missingPartition) == [2])
    let kinds = index.problems.map(\.kind)
    #expect(kinds.contains(.badMarker) && kinds.contains(.differentFileLists))
    #expect(index.problems.contains { $0.detail.hasPrefix("partition 2/4: no shards and no completion marker") })
    let json = index.encoded(createdNanoseconds: 0)
    #expect(json.contains("\"complete\": false"))
    #expect(json.contains("\"unfinished\": [1]") && json.contains("\"missing\": [2]"))
}

@Test func daemonInstancesAndASingleConvertNeedNoMarkers() {
    let folder = OutputFolder(names: shards(ShardNaming(prefix: "b"), 1) + shards(ShardNaming(prefix: "a"), 2))
    let index = DatasetIndex(folder: folder, facts: facts(folder, rows: 3), markers: [:])
    #expect(index.isComplete)
    #expect(index.entries.map(\.shard.arrayName) == ["a-shard-00000000.npy", "a-shard-00000001.npy", "b-shard-00000000.npy"])
    #expect(index.encoded(createdNanoseconds: 0).contains("\"instances\": [\"a\", \"b\"]"))
    #expect(index.encoded(createdNanoseconds: 0).contains("\"partitions\": null"))
    let single = OutputFolder(names: shards(ShardNaming(), 2))
    #expect(DatasetIndex(folder: single, facts: facts(single), markers: [:]).images == 10)
}

@Test func badShardsAndMixedPartitionCountsMakeAnIndexIncomplete() throws {
    let a = ShardNaming(partition: try Partition(index: 0, count: 1))
    let b = ShardNaming(partition: try Partition(index: 0, count: 2))
    let folder = OutputFolder(names: shards(a, 1) + shards(b, 1) + shards(ShardNaming(), 1))
    var f = facts(folder)
    f["shard-00000000.npy"] = DatasetIndex.ShardFacts(header: nil, manifestRows: 5)
    f[a.arrayName(0)] = DatasetIndex.ShardFacts(header: NPYHeader(rows: 5, height: 4, width: 8), manifestRows: 4)
    let index = DatasetIndex(folder: folder, facts: f, markers: [:])
    #expect(index.problems.map(\.kind).filter { $0 == .badShard }.count == 2)
    #expect(index.problems.contains { $0.kind == .severalPartitionSets })
    #expect(index.entries.count == 2, "a shard whose header does not parse is not indexed")
}
