/// A task's share of a sorted file list: which positions are its own, and a fingerprint of the whole list, so
/// that tasks (and `tiffshard index`) can tell whether they all split the same list.
public struct PartitionPlan: Equatable, Sendable {
    /// Which partition.
    public let partition: Partition
    /// Entries in the whole list (all partitions).
    public let total: Int
    /// This partition's positions in the list.
    public let range: Range<Int>
    /// `fnv1a64:` and 16 hex digits: FNV-1a over every path's bytes, each followed by a NUL byte.
    public let digest: String

    /// The plan for `partition` of `paths`, which must be sorted (byte order, as `convert` takes files).
    public init(paths: [SourcePath], partition: Partition) {
        precondition(zip(paths, paths.dropFirst()).allSatisfy { $0 < $1 }, "the file list must be sorted and unique")
        self.partition = partition
        total = paths.count
        range = partition.range(ofCount: paths.count)
        digest = Self.digest(paths)
    }

    /// This partition's elements of `items`, a list in the order the plan was made from.
    public func select<T>(_ items: [T]) -> ArraySlice<T> {
        precondition(items.count == total, "the plan was made for \(total) entries, not \(items.count)")
        return items[range]
    }

    /// The fingerprint of a sorted list.
    public static func digest(_ paths: [SourcePath]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for path in paths {
            for byte in path.bytes + [0] {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
