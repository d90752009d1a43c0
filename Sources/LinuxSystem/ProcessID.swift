/// A process ID.
public struct ProcessID: Hashable, Sendable, CustomStringConvertible {
    /// The raw `pid_t`.
    public let rawValue: Int32

    /// Wraps a raw `pid_t`.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The number in decimal.
    public var description: String {
        String(rawValue)
    }
}
