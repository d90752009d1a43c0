/// Partition `index` of `count` of a sorted file list (`convert --partition I/N`): a contiguous range, computed
/// from the list alone, so tasks that never talk to each other split it the same way and partition 0's rows,
/// then partition 1's, … are the rows of a single-machine `convert` of the whole list.
public struct Partition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// I, 0-based.
    public let index: Int
    /// N, at least 1.
    public let count: Int

    /// The most partitions: names carry the numbers with at least four digits, and every reader lists the
    /// folder; 100000 is far past Slurm's default `MaxArraySize` (1001) and Kubernetes' completions limit.
    public static let maxCount = 100_000

    /// A partition; throws unless 0 ≤ index < count ≤ `maxCount`.
    public init(index: Int, count: Int) throws(PartitionError) {
        guard count >= 1 else { throw PartitionError(.zeroPartitions, detail: "\(index)/\(count)") }
        guard count <= Self.maxCount else { throw PartitionError(.tooMany, detail: "\(index)/\(count)") }
        guard index >= 0, index < count else { throw PartitionError(.indexOutOfRange, detail: "\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (decimal, no sign, no spaces): `3/16`.
    public init(parsing text: String) throws(PartitionError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.decimal(parts[0]), let n = Self.decimal(parts[1]) else {
            throw PartitionError(.malformed, detail: text)
        }
        try self.init(index: i, count: n)
    }

    /// A non-negative decimal integer of at most 9 digits, or nil.
    static func decimal(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// `3/16`.
    public var description: String { "\(index)/\(count)" }

    /// `part-0003-of-0016`: the prefix of this partition's file names. Both numbers have the digits of N (at
    /// least four), so the names of one N sort in partition order.
    public var name: String {
        let width = max(4, String(count).count)
        func pad(_ v: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "part-\(pad(index))-of-\(pad(count))"
    }

    /// Parses a name made by `name`: `part-0003-of-0016` (nil for anything else, other paddings included).
    public init?(name: some StringProtocol) {
        guard name.hasPrefix("part-") else { return nil }
        let parts = name.dropFirst(5).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "of", let i = Self.decimal(parts[0]), let n = Self.decimal(parts[2]),
            let partition = try? Partition(index: i, count: n), partition.name == String(name)
        else { return nil }
        self = partition
    }

    /// The positions of this partition in a sorted list of `total` items: `⌊I·L/N⌋ ..< ⌊(I+1)·L/N⌋`.
    /// Contiguous, in order, covering the list exactly once over I = 0…N−1; sizes differ by at most one.
    public func range(ofCount total: Int) -> Range<Int> {
        precondition(total >= 0)
        return (index * total / count)..<((index + 1) * total / count)
    }

    public static func < (a: Partition, b: Partition) -> Bool { (a.count, a.index) < (b.count, b.index) }
}

/// Why a partition was refused: the case is for code, the detail and the message for people.
public struct PartitionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Equatable, Sendable {
        /// Not `I/N` in decimal.
        case malformed
        /// N = 0.
        case zeroPartitions
        /// N over `Partition.maxCount`.
        case tooMany
        /// I ≥ N.
        case indexOutOfRange
        /// The scheduler's variables do not describe one partition (missing, not numbers, not contiguous).
        case inconsistentEnvironment
    }

    public var kind: Kind
    /// The offending value, or the variables that disagree.
    public var detail: String

    public init(_ kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .malformed: "invalid partition '\(detail)': expected I/N, e.g. 3/16 (partition I of N, 0 ≤ I < N)"
        case .zeroPartitions: "invalid partition '\(detail)': N must be at least 1"
        case .tooMany: "invalid partition '\(detail)': N must be at most \(Partition.maxCount)"
        case .indexOutOfRange: "invalid partition '\(detail)': I must be less than N (partitions are numbered 0 to N-1)"
        case .inconsistentEnvironment: detail
        }
    }
}
