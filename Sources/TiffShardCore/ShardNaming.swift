/// Shard file names: `[INSTANCE-]shard-00000000.npy` (a daemon, a single-machine `convert`) or
/// `[INSTANCE-]part-0003-of-0016.shard-00000000.npy` (`convert --partition 3/16`), and the manifest with the
/// same stem. Every writer of one store has its own names, so many publish into one folder without
/// collisions, and names sort in the global order within a writer (zero-padded numbers).
public struct ShardNaming: Hashable, Sendable {
    /// Optional instance prefix so several daemons can publish into one store.
    public var prefix: String
    /// The partition of a partitioned `convert`; nil otherwise.
    public var partition: Partition?

    public init(prefix: String = "", partition: Partition? = nil) {
        self.prefix = prefix
        self.partition = partition
    }

    /// What names this writer's files: `cam1`, `part-0003-of-0016`, `cam1-part-0003-of-0016`, or empty.
    public var writerName: String {
        switch (prefix.isEmpty, partition) {
        case (true, nil): ""
        case (false, nil): prefix
        case (true, let p?): p.name
        case (false, let p?): "\(prefix)-\(p.name)"
        }
    }

    /// What precedes `shard-`: nothing, `cam1-`, or `part-0003-of-0016.` (a dot: an instance may contain `-`).
    private var stemStart: String {
        switch (prefix.isEmpty, partition) {
        case (true, nil): "shard-"
        case (false, nil): "\(prefix)-shard-"
        default: "\(writerName).shard-"
        }
    }

    /// `shard-00000042` for sequence 42.
    public func stem(_ sequence: Int) -> String {
        let digits = String(sequence)
        return stemStart + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
    /// The `.npy` file name.
    public func arrayName(_ sequence: Int) -> String { stem(sequence) + ".npy" }
    /// The `.jsonl` manifest name.
    public func manifestName(_ sequence: Int) -> String { stem(sequence) + ".jsonl" }
    /// Temporary name used while writing `name`: hidden, so no reader mistakes it for a shard.
    public static func temporaryName(_ name: String) -> String { ".\(name).tmp" }

    /// A partition's completion marker, `part-0003-of-0016.done.json` (nil without a partition).
    public var markerName: String? { partition == nil ? nil : writerName + ".done.json" }
    /// A partition's rejection log, `part-0003-of-0016.rejected.jsonl` (nil without a partition: `convert`
    /// writes `rejected.jsonl`, a daemon `failed-dir/failures.jsonl`).
    public var rejectionLogName: String? { partition == nil ? nil : writerName + ".rejected.jsonl" }

    /// The sequence number if `name` is one of our published `.npy` or `.jsonl` files.
    public func sequence(of name: String) -> Int? {
        guard name.hasPrefix(stemStart) else { return nil }
        var rest = Substring(name.dropFirst(stemStart.count))
        if rest.hasSuffix(".npy") { rest = rest.dropLast(4) } else if rest.hasSuffix(".jsonl") { rest = rest.dropLast(6) } else { return nil }
        guard rest.count >= 8, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(rest)
    }

    /// Whether `name` is a leftover temporary file of an interrupted publication of this writer (a partition's
    /// also of its marker: `.part-0003-of-0016.done.json.tmp`).
    public func isTemporary(_ name: String) -> Bool {
        guard partition != nil else { return name.hasPrefix("." + stemStart) && name.hasSuffix(".tmp") }
        // `.tmp-PID-RANDOM`: `FileSystem.writeFileAtomically`'s temporary name, used for the marker.
        return name.hasPrefix("." + writerName + ".") && (name.hasSuffix(".tmp") || name.contains(".tmp-"))
    }

    /// What a published file name says: whose it is, which shard, and whether it is the `.npy` (else the
    /// manifest). Nil for every other name. Names round-trip: only what `arrayName`/`manifestName` can write
    /// parses.
    public static func parse(_ name: String) -> (naming: ShardNaming, sequence: Int, isArray: Bool)? {
        let isArray = name.hasSuffix(".npy")
        guard isArray || name.hasSuffix(".jsonl") else { return nil }
        let stem = name.utf8.dropLast(isArray ? 4 : 6)
        let digits = stem.reversed().prefix { $0 >= 0x30 && $0 <= 0x39 }.count
        guard digits >= 8, digits <= 18 else { return nil }
        let head = stem.dropLast(digits)
        guard head.count >= 6, Array(head.suffix(6)) == Array("shard-".utf8) else { return nil }
        guard let writer = String(head.dropLast(6)), let sequence = Int(String(decoding: stem.suffix(digits), as: UTF8.self))
        else { return nil }
        let naming: ShardNaming
        if writer.isEmpty {
            naming = ShardNaming()
        } else if writer.hasSuffix("-") {
            naming = ShardNaming(prefix: String(writer.dropLast()))
        } else if writer.hasSuffix("."), let parsed = parseWriter(String(writer.dropLast())), parsed.partition != nil {
            naming = parsed
        } else {
            return nil
        }
        guard !naming.prefix.contains("/"),
            (isArray ? naming.arrayName(sequence) : naming.manifestName(sequence)) == name
        else { return nil }
        return (naming, sequence, isArray)
    }

    /// The writer a `writerName` stands for when it ends in a partition (`part-0003-of-0016`,
    /// `cam1-part-0003-of-0016`); nil otherwise.
    public static func parseWriter(_ text: String) -> ShardNaming? {
        if let p = Partition(name: text) { return ShardNaming(partition: p) }
        // The partition is the last three `-` groups after "part": `INSTANCE-part-I-of-N`.
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count >= 5 else { return nil }
        let tail = pieces.suffix(4).joined(separator: "-")
        let instance = pieces.dropLast(4).joined(separator: "-")
        guard !instance.isEmpty, let p = Partition(name: tail) else { return nil }
        return ShardNaming(prefix: instance, partition: p)
    }
}

extension ShardNaming: Comparable {
    /// The global order of writers in one store: by instance name (none first), then by partition.
    public static func < (a: ShardNaming, b: ShardNaming) -> Bool {
        if a.prefix != b.prefix { return a.prefix.utf8.lexicographicallyPrecedes(b.prefix.utf8) }
        switch (a.partition, b.partition) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x < y
        }
    }
}
