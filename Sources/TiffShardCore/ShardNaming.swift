/// Shard file names: `[prefix-]shard-00000000.npy` and the manifest with the same stem.
public struct ShardNaming: Equatable, Sendable {
    /// Optional instance prefix so several daemons can publish into one store.
    public var prefix: String

    public init(prefix: String = "") { self.prefix = prefix }

    private var stemStart: String { prefix.isEmpty ? "shard-" : "\(prefix)-shard-" }

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

    /// The sequence number if `name` is one of our published `.npy` or `.jsonl` files.
    public func sequence(of name: String) -> Int? {
        guard name.hasPrefix(stemStart) else { return nil }
        var rest = Substring(name.dropFirst(stemStart.count))
        if rest.hasSuffix(".npy") { rest = rest.dropLast(4) } else if rest.hasSuffix(".jsonl") { rest = rest.dropLast(6) } else { return nil }
        guard rest.count >= 8, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(rest)
    }

    /// Whether `name` is a leftover temporary file of an interrupted publication.
    public func isTemporary(_ name: String) -> Bool {
        name.hasPrefix("." + stemStart) && name.hasSuffix(".tmp")
    }
}
