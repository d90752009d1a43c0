/// One line of a shard manifest (`shard-00000000.jsonl`): which source file a row came from.
public struct ManifestRecord: Equatable, Sendable {
    /// Row index in the shard's `.npy` array.
    public var row: Int
    /// The source, identified by its path relative to the ingest/source directory, size and mtime.
    public var source: SourceIdentity
    /// What the decoder learned about the source.
    public var info: SourceInfo

    public init(row: Int, source: SourceIdentity, info: SourceInfo) {
        self.row = row
        self.source = source
        self.info = info
    }

    /// Manifest JSON keys (a public format: keep them stable).
    public enum Key {
        public static let row = "row"
        public static let source = "source"
        public static let bytes = "bytes"
        public static let mtime = "mtime"
        public static let mtimeNanoseconds = "mtime_ns"
        public static let width = "width"
        public static let height = "height"
        public static let bitsPerSample = "bits_per_sample"
        public static let channels = "channels"
        public static let pages = "pages"
        public static let compression = "compression"
    }

    /// The JSON line (without newline).
    public func encoded() -> String {
        var w = JSONObjectWriter()
        w.add(Key.row, row)
        w.add(Key.source, source.relativePath)
        w.add(Key.bytes, source.size)
        w.add(Key.mtime, Double(source.modificationTimeNanoseconds) / 1e9)
        w.add(Key.mtimeNanoseconds, source.modificationTimeNanoseconds)
        w.add(Key.width, Int(info.width))
        w.add(Key.height, Int(info.height))
        w.add(Key.bitsPerSample, Int(info.bitsPerSample))
        w.add(Key.channels, Int(info.channels))
        w.add(Key.pages, Int(info.pages))
        w.add(Key.compression, Int(info.compression))
        return w.result
    }

    /// Parses a manifest line; nil if required members are missing.
    public static func parse(_ line: String) -> ManifestRecord? {
        guard let o = JSONObjectParser.parse(line), let row = o[Key.row]?.intValue,
            let source = o[Key.source]?.pathValue, let bytes = o[Key.bytes]?.intValue,
            let mtime = o[Key.mtimeNanoseconds]?.intValue
        else { return nil }
        func u(_ key: String) -> Int64 { o[key]?.intValue ?? 0 }
        let info = SourceInfo(
            width: UInt32(truncatingIfNeeded: u(Key.width)), height: UInt32(truncatingIfNeeded: u(Key.height)),
            bitsPerSample: UInt16(truncatingIfNeeded: u(Key.bitsPerSample)),
            channels: UInt16(truncatingIfNeeded: u(Key.channels)), pages: UInt32(truncatingIfNeeded: u(Key.pages)),
            compression: UInt16(truncatingIfNeeded: u(Key.compression)))
        return ManifestRecord(
            row: Int(row), source: SourceIdentity(relativePath: source, size: bytes, modificationTimeNanoseconds: mtime),
            info: info)
    }
}

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

/// UTC ISO-8601 formatting without Foundation.
public enum ISOTime {
    /// `2026-11-25T10:20:30.123Z` for a time in nanoseconds since the epoch.
    public static func format(nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let millis = Int((nanoseconds - seconds * 1_000_000_000) / 1_000_000)
        var days = Int(seconds / 86_400)
        var rem = Int(seconds % 86_400)
        if rem < 0 { rem += 86_400; days -= 1 }
        // Civil-from-days, Howard Hinnant's algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rem / 3600, 2)):\(p(rem / 60 % 60, 2)):\(p(rem % 60, 2)).\(p(millis, 3))Z"
    }
}
