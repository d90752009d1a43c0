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
