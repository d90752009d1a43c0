/// What the names in an output folder say, without opening a file: which writers (daemon instances, a
/// single-machine `convert`, partitions of `convert --partition`) published which shards, which partitions
/// finished (`*.done.json`), and the leftovers of writers that were killed.
///
/// Pure: built from the directory's names. `tiffshard index` reads the `.npy` headers and manifests it lists;
/// `tiffshard inspect` can start from the same listing.
public struct OutputFolder: Sendable {
    /// One shard: its `.npy` (the commit point) and manifest, as present.
    public struct Shard: Equatable, Sendable {
        public var writer: ShardNaming
        public var sequence: Int
        public var hasArray: Bool
        public var hasManifest: Bool
        /// `…shard-00000000.npy`.
        public var arrayName: String { writer.arrayName(sequence) }
        /// `…shard-00000000.jsonl`.
        public var manifestName: String { writer.manifestName(sequence) }
        /// Published: the `.npy` is there (it is renamed in after its manifest).
        public var isPublished: Bool { hasArray && hasManifest }
    }

    /// Every shard, in global order: writers in `ShardNaming` order (instance name, then partition), then
    /// sequence.
    public private(set) var shards: [Shard] = []
    /// Completion markers by writer (a partition, with or without instance), and their file names.
    public private(set) var markers: [ShardNaming: String] = [:]
    /// Hidden temporary files (`.NAME.tmp`, `.NAME.tmp-…`): a publication that was cut off, or in progress.
    public private(set) var temporary: [String] = []
    /// Names that are none of ours (rejection logs and `index.json` included).
    public private(set) var others: [String] = []

    /// The index's own name.
    public static let indexName = "index.json"

    public init(names: some Sequence<String>) {
        var found: [ShardNaming: [Int: Shard]] = [:]
        for name in names {
            if let (writer, sequence, isArray) = ShardNaming.parse(name) {
                var shard = found[writer]?[sequence] ?? Shard(writer: writer, sequence: sequence, hasArray: false, hasManifest: false)
                if isArray { shard.hasArray = true } else { shard.hasManifest = true }
                found[writer, default: [:]][sequence] = shard
            } else if name.hasSuffix(".done.json"), let writer = ShardNaming.parseWriter(String(name.dropLast(10))),
                writer.markerName == name
            {
                markers[writer] = name
            } else if name.hasPrefix("."), name.hasSuffix(".tmp") || name.contains(".tmp-") {
                temporary.append(name)
            } else {
                others.append(name)
            }
        }
        for writer in found.keys.sorted() {
            shards += found[writer]!.values.sorted { $0.sequence < $1.sequence }
        }
        temporary.sort()
        others.sort()
    }

    /// The writers with at least one file, in global order.
    public var writers: [ShardNaming] {
        var seen: Set<ShardNaming> = []
        return (shards.map(\.writer) + markers.keys.sorted()).filter { seen.insert($0).inserted }.sorted()
    }

    /// The published shards, in global order.
    public var published: [Shard] { shards.filter(\.isPublished) }

    /// Manifests without their `.npy`: a publication cut off between its two renames (removed by the writer's
    /// next start).
    public var unfinished: [Shard] { shards.filter { $0.hasManifest && !$0.hasArray } }

    /// The partition sets in the folder: for each instance prefix ("" for none), the N of its partitions,
    /// each with the partitions that have files.
    public var partitionSets: [PartitionSet] {
        var sets: [String: [Int: Set<Int>]] = [:]
        for writer in writers {
            guard let p = writer.partition else { continue }
            sets[writer.prefix, default: [:]][p.count, default: []].insert(p.index)
        }
        return sets.keys.sorted().flatMap { prefix in
            sets[prefix]!.keys.sorted().map { count in
                PartitionSet(prefix: prefix, count: count, present: sets[prefix]![count]!)
            }
        }
    }

    /// Partitions `0..<count` of one `convert --partition I/N` job (one instance prefix, one N).
    public struct PartitionSet: Equatable, Sendable {
        public var prefix: String
        public var count: Int
        /// The partitions with at least one file in the folder.
        public var present: Set<Int>
        /// The writer of partition `index`.
        public func writer(_ index: Int) -> ShardNaming {
            ShardNaming(prefix: prefix, partition: try! Partition(index: index, count: count))
        }
    }
}
