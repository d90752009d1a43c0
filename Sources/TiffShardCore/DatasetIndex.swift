/// `OUT/index.json`: the shards of an output folder in global order, with their rows, and whether the dataset
/// is complete (every partition 0…N−1 of a partitioned `convert` finished, every shard readable).
///
/// Built from an `OutputFolder` plus what `tiffshard index` read: each published shard's `.npy` header
/// (`NPYHeader.parse`) and manifest (`ManifestRecord.parse`), and each completion marker. Pure.
public struct DatasetIndex: Sendable {
    /// What was read of one published shard.
    public struct ShardFacts: Equatable, Sendable {
        /// The `.npy` header; nil when it does not parse.
        public var header: NPYHeader?
        /// Manifest lines that parse as records, and lines that do not.
        public var manifestRows: Int
        public var badManifestLines: Int

        public init(header: NPYHeader?, manifestRows: Int, badManifestLines: Int = 0) {
            self.header = header
            self.manifestRows = manifestRows
            self.badManifestLines = badManifestLines
        }
    }

    /// Why the dataset is not complete.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public enum Kind: String, Equatable, Sendable {
            /// A partition without a completion marker (still running, or stopped before the end).
            case unfinishedPartition = "unfinished-partition"
            /// A partition with no file at all.
            case missingPartition = "missing-partition"
            /// Partitions of more than one job (several N, or several instance prefixes).
            case severalPartitionSets = "several-partition-sets"
            /// Completion markers computed from different file lists.
            case differentFileLists = "different-file-lists"
            /// A marker whose counts disagree with the shards, or that does not parse.
            case badMarker = "bad-marker"
            /// A shard whose header does not parse, or whose manifest disagrees with it.
            case badShard = "bad-shard"
        }
        public var kind: Kind
        public var detail: String
        public var description: String { detail }
    }

    /// One indexed shard.
    public struct Entry: Equatable, Sendable {
        public var shard: OutputFolder.Shard
        public var header: NPYHeader
        /// Row of the dataset its first row is.
        public var firstRow: Int
    }

    public private(set) var entries: [Entry] = []
    public private(set) var problems: [Problem] = []
    /// The one partition set of the folder, if any.
    public private(set) var partitionSet: OutputFolder.PartitionSet?
    /// Its markers, by partition index.
    public private(set) var markers: [Int: CompletionMarker] = [:]

    /// Whether nothing is missing or inconsistent.
    public var isComplete: Bool { problems.isEmpty }
    /// Rows of every indexed shard.
    public var images: Int { entries.reduce(0) { $0 + $1.header.rows } }

    public init(folder: OutputFolder, facts: [String: ShardFacts], markers found: [ShardNaming: CompletionMarker?]) {
        var rows: [ShardNaming: Int] = [:]
        for shard in folder.published {
            guard let fact = facts[shard.arrayName], let header = fact.header else {
                problems.append(Problem(kind: .badShard, detail: "\(shard.arrayName): not a shard .npy (header does not parse)"))
                continue
            }
            if fact.manifestRows != header.rows || fact.badManifestLines > 0 {
                problems.append(Problem(
                    kind: .badShard,
                    detail: "\(shard.manifestName): \(fact.manifestRows) records (\(fact.badManifestLines) lines unreadable) "
                        + "for \(header.rows) rows"))
            }
            entries.append(Entry(shard: shard, header: header, firstRow: images))
            rows[shard.writer, default: 0] += header.rows
        }
        let sets = folder.partitionSets
        if sets.count > 1 {
            let names = sets.map { ($0.prefix.isEmpty ? "" : $0.prefix + "-") + "part-*-of-\($0.count)" }
            problems.append(Problem(
                kind: .severalPartitionSets,
                detail: "partitions of more than one job in one folder (\(names.joined(separator: ", "))): "
                    + "give each job its own output folder"))
            return
        }
        guard let set = sets.first else { return }
        partitionSet = set
        for index in 0..<set.count {
            let writer = set.writer(index)
            let label = "partition \(index)/\(set.count)"
            switch found[writer] {
            case .some(.some(let marker)):
                markers[index] = marker
                let published = rows[writer] ?? 0
                if marker.images != published {
                    problems.append(Problem(
                        kind: .badMarker,
                        detail: "\(label): \(writer.markerName!) counts \(marker.images) images, its shards hold \(published)"))
                }
            case .some(.none):
                problems.append(Problem(kind: .badMarker, detail: "\(label): \(writer.markerName!) does not parse"))
            case .none where set.present.contains(index):
                problems.append(Problem(
                    kind: .unfinishedPartition,
                    detail: "\(label): shards but no completion marker (still running, or stopped before the end: "
                        + "run it again, it continues)"))
            case .none:
                problems.append(Problem(
                    kind: .missingPartition,
                    detail: "\(label): no shards and no completion marker (never ran, or wrote elsewhere)"))
            }
        }
        let digests = Set(markers.values.map(\.listDigest))
        if digests.count > 1 {
            let detail = markers.keys.sorted().map { "\($0): \(markers[$0]!.listTotal) files \(markers[$0]!.listDigest)" }
            problems.append(Problem(
                kind: .differentFileLists,
                detail: "partitions were split from different file lists (SRC changed between tasks): "
                    + detail.joined(separator: "; ")))
        }
    }

    /// The partitions in each state, for the index and for messages.
    public var donePartitions: [Int] { markers.keys.sorted() }
    public func partitions(_ kind: Problem.Kind) -> [Int] {
        guard let set = partitionSet else { return [] }
        return (0..<set.count).filter { index in
            problems.contains { $0.kind == kind && $0.detail.hasPrefix("partition \(index)/\(set.count):") }
        }
    }

    /// `index.json`'s text: one top-level member per line, one line per shard.
    public func encoded(createdNanoseconds: Int64) -> String {
        var members: [String] = []
        // Each member is written by a one-member writer, so escaping stays in one place; `{` and `}` dropped.
        func add(_ build: (inout JSONObjectWriter) -> Void) {
            var w = JSONObjectWriter()
            build(&w)
            members.append(String(w.result.dropFirst().dropLast()))
        }
        add { $0.add("format", 1) }
        add { $0.add("complete", isComplete) }
        add { $0.add("images", images) }
        let formats = Set(entries.map { [$0.header.dtype.rawValue, "\($0.header.shape.dropFirst())"] })
        if formats.count == 1, let first = entries.first {
            add { $0.add("dtype", first.header.dtype.rawValue) }
            add { $0.add("descr", first.header.dtype.npyDescriptor) }
            add { $0.add("shape", Array(first.header.shape.dropFirst())) }
        } else {
            // No shard, or shards of several formats (a daemon reloaded with another dtype or size): see each.
            for key in ["dtype", "descr", "shape"] { add { $0.addNull(key) } }
        }
        add { $0.add("shards", json: "[\n" + entries.map { "  " + Self.encode($0) }.joined(separator: ",\n") + "\n]") }
        if let set = partitionSet {
            var p = JSONObjectWriter()
            p.add("count", set.count)
            if !set.prefix.isEmpty { p.add("instance", set.prefix) }
            p.add("done", donePartitions)
            p.add("unfinished", partitions(.unfinishedPartition))
            p.add("missing", partitions(.missingPartition))
            p.add("markers", donePartitions.map { SourcePath(set.writer($0).markerName!) })
            p.add("rejected", markers.values.reduce(0) { $0 + $1.rejected.count })
            let digests = Set(markers.values.map(\.listDigest))
            if digests.count == 1, let marker = markers.values.first {
                p.add("list_files", marker.listTotal)
                p.add("list_digest", marker.listDigest)
            }
            add { $0.add("partitions", json: p.result) }
        } else {
            add { $0.addNull("partitions") }
        }
        var instances: [String] = []
        for entry in entries where !entry.shard.writer.prefix.isEmpty && !instances.contains(entry.shard.writer.prefix) {
            instances.append(entry.shard.writer.prefix)
        }
        add { $0.add("instances", instances.map { SourcePath($0) }) }
        add { $0.add("problems", problems.map { SourcePath($0.detail) }) }
        add { $0.add("created", ISOTime.format(nanoseconds: createdNanoseconds)) }
        return "{\n" + members.map { " " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    private static func encode(_ entry: Entry) -> String {
        var s = JSONObjectWriter()
        s.add("file", entry.shard.arrayName)
        s.add("manifest", entry.shard.manifestName)
        s.add("rows", entry.header.rows)
        s.add("first_row", entry.firstRow)
        s.add("writer", entry.shard.writer.writerName)
        if !entry.shard.writer.prefix.isEmpty { s.add("instance", entry.shard.writer.prefix) }
        if let p = entry.shard.writer.partition { s.add("partition", p.index) }
        s.add("sequence", entry.shard.sequence)
        s.add("dtype", entry.header.dtype.rawValue)
        s.add("shape", Array(entry.header.shape.dropFirst()))
        return s.result
    }
}
