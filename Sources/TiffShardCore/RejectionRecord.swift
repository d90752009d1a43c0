/// One line of `rejected.jsonl` / `failures.jsonl`: a source that was not ingested, and why.
public struct RejectionRecord: Equatable, Sendable {
    public var source: String
    public var reason: String
    /// Wall-clock time of the decision, nanoseconds since the epoch.
    public var timeNanoseconds: Int64
    public var bytes: Int64?

    public init(source: String, reason: String, timeNanoseconds: Int64, bytes: Int64? = nil) {
        self.source = source
        self.reason = reason
        self.timeNanoseconds = timeNanoseconds
        self.bytes = bytes
    }

    /// The JSON line (without newline): `source`, `reason`, `time` (ISO 8601 UTC), `time_ns`, `bytes`.
    public func encoded() -> String {
        var w = JSONObjectWriter()
        w.add("source", source)
        w.add("reason", reason)
        w.add("time", ISOTime.format(nanoseconds: timeNanoseconds))
        w.add("time_ns", timeNanoseconds)
        if let bytes { w.add("bytes", bytes) }
        return w.result
    }
}
