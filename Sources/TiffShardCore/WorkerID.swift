/// Identifies a worker process slot for the engine; never reused, so late events from an old worker are ignored.
public struct WorkerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: WorkerID, b: WorkerID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "worker \(rawValue)" }
}
