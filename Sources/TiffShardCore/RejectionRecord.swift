/// One line of `rejected.jsonl` / `failures.jsonl`: a source that was not ingested, and why.
public struct RejectionRecord: Equatable, Sendable {
    public var source: SourcePath
    public var rejection: Rejection
    /// Wall-clock time of the decision, nanoseconds since the epoch.
    public var timeNanoseconds: Int64
    /// Size of the file when it was rejected.
    public var bytes: Int64?
    /// Modification time of the file when it was rejected (with `source` and `bytes`, its identity).
    public var modificationTimeNanoseconds: Int64?

    public init(
        source: SourcePath, rejection: Rejection, timeNanoseconds: Int64, bytes: Int64? = nil,
        modificationTimeNanoseconds: Int64? = nil
    ) {
        self.source = source
        self.rejection = rejection
        self.timeNanoseconds = timeNanoseconds
        self.bytes = bytes
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }

    /// Rejection log JSON keys (a public format: keep them stable).
    public enum Key {
        public static let source = "source"
        /// One of `Rejection.Category`'s raw values (`not-tiff`, `crashed`, ...).
        public static let category = "category"
        /// The human reason (`not a TIFF: empty file`).
        public static let reason = "reason"
        public static let time = "time"
        public static let timeNanoseconds = "time_ns"
        public static let bytes = "bytes"
        public static let mtimeNanoseconds = "mtime_ns"
    }

    /// The JSON line (without newline): `source`, `category`, `reason`, `time` (ISO 8601 UTC), `time_ns`,
    /// and when known `bytes` and `mtime_ns`.
    public func encoded() -> String {
        var w = JSONObjectWriter()
        w.add(Key.source, source)
        w.add(Key.category, rejection.category.rawValue)
        w.add(Key.reason, rejection.reason)
        w.add(Key.time, ISOTime.format(nanoseconds: timeNanoseconds))
        w.add(Key.timeNanoseconds, timeNanoseconds)
        if let bytes { w.add(Key.bytes, bytes) }
        if let modificationTimeNanoseconds { w.add(Key.mtimeNanoseconds, modificationTimeNanoseconds) }
        return w.result
    }

    /// The identity (source, bytes, mtime) a record line names; nil if the line is not a record or predates
    /// `mtime_ns`.
    public static func identity(parsing line: String) -> SourceIdentity? {
        guard let o = JSONObjectParser.parse(line), let source = o[Key.source]?.pathValue,
            let bytes = o[Key.bytes]?.intValue, let mtime = o[Key.mtimeNanoseconds]?.intValue
        else { return nil }
        return SourceIdentity(relativePath: source, size: bytes, modificationTimeNanoseconds: mtime)
    }
}
