/// One line of a shard manifest (`shard-00000000.jsonl`): which source file (and page) a row came from, what
/// the decoder learned about it, the row's output format and where the page landed in the row.
public struct ManifestRecord: Equatable, Sendable {
    /// Row index in the shard's `.npy` array.
    public var row: Int
    /// The source, identified by its path relative to the ingest/source directory, size and mtime.
    public var source: SourceIdentity
    /// What the decoder learned about the decoded page (and, with `placement`, where it landed).
    public var info: SourceInfo
    /// The page of the source in this row, 0-based (counted as `info.pages` counts).
    public var page: Int
    /// Sample type of the row (`dtype`).
    public var dtype: OutputFormat.SampleType
    /// Channels of the row (`color`).
    public var color: OutputFormat.Color
    /// How the page became the row (`resize`).
    public var resize: OutputFormat.Resize
    /// The `pad-value` option (the canvas value with `resize: fit`; recorded whatever the resize mode).
    public var padValue: Double
    /// The `pages` option (`first` or `all`; the `pages` member counts the file's pages).
    public var pagesMode: OutputFormat.Pages

    public init(
        row: Int, source: SourceIdentity, info: SourceInfo, page: Int = 0, dtype: OutputFormat.SampleType = .uint8,
        color: OutputFormat.Color = .gray, resize: OutputFormat.Resize = .stretch, padValue: Double = 0,
        pagesMode: OutputFormat.Pages = .first
    ) {
        self.row = row
        self.source = source
        self.info = info
        self.page = page
        self.dtype = dtype
        self.color = color
        self.resize = resize
        self.padValue = padValue
        self.pagesMode = pagesMode
    }

    /// The record of a row of a shard in `output`: every output option is recorded.
    public init(row: Int, source: SourceIdentity, info: SourceInfo, page: Int, output: OutputFormat) {
        self.init(
            row: row, source: source, info: info, page: page, dtype: output.dtype, color: output.color,
            resize: output.resize, padValue: output.padValue, pagesMode: output.pages)
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
        public static let page = "page"
        public static let sampleFormat = "sample_format"
        public static let photometric = "photometric"
        public static let dtype = "dtype"
        public static let color = "color"
        public static let resize = "resize"
        public static let padValue = "pad_value"
        public static let pagesMode = "pages_mode"
        public static let resized = "resized"
        public static let offset = "offset"
        public static let scale = "scale"
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
        w.add(Key.page, page)
        w.add(Key.sampleFormat, Int(info.sampleFormat))
        w.add(Key.photometric, Int(info.photometric))
        w.add(Key.dtype, dtype.rawValue)
        w.add(Key.color, color.rawValue)
        w.add(Key.resize, resize.rawValue)
        // Integral values as integers (the integer dtypes accept nothing else), others as decimals.
        if padValue == padValue.rounded(), abs(padValue) < 1e15 { w.add(Key.padValue, Int(padValue)) } else {
            w.add(Key.padValue, padValue)
        }
        w.add(Key.pagesMode, pagesMode.rawValue)
        if let placement = info.placement {
            w.add(Key.resized, [Int(placement.resizedWidth), Int(placement.resizedHeight)])
            w.add(Key.offset, [Int(placement.offsetX), Int(placement.offsetY)])
            if info.width > 0, info.height > 0 {
                w.add(
                    Key.scale,
                    [Double(placement.resizedWidth) / Double(info.width), Double(placement.resizedHeight) / Double(info.height)])
            }
        }
        return w.result
    }

    /// Parses a manifest line; nil if the identity members (`row`, `source`, `bytes`, `mtime_ns`) are missing.
    ///
    /// Every other member is optional, so that manifests written before it existed still parse (start-up
    /// recovery needs only the identity): absent or unrecognised values read as the defaults of today's
    /// output (page 0, uint8, gray, stretch), zero, `SourceInfo.unknownPhotometric` and no placement.
    public static func parse(_ line: String) -> ManifestRecord? {
        guard let o = JSONObjectParser.parse(line), let row = o[Key.row]?.intValue,
            let source = o[Key.source]?.pathValue, let bytes = o[Key.bytes]?.intValue,
            let mtime = o[Key.mtimeNanoseconds]?.intValue
        else { return nil }
        func u(_ key: String) -> Int64 { o[key]?.intValue ?? 0 }
        func pair(_ key: String) -> (Int64, Int64)? {
            guard let values = o[key]?.intArrayValue, values.count == 2 else { return nil }
            return (values[0], values[1])
        }
        var info = SourceInfo(
            width: UInt32(truncatingIfNeeded: u(Key.width)), height: UInt32(truncatingIfNeeded: u(Key.height)),
            bitsPerSample: UInt16(truncatingIfNeeded: u(Key.bitsPerSample)),
            channels: UInt16(truncatingIfNeeded: u(Key.channels)), pages: UInt32(truncatingIfNeeded: u(Key.pages)),
            compression: UInt16(truncatingIfNeeded: u(Key.compression)),
            sampleFormat: UInt16(truncatingIfNeeded: u(Key.sampleFormat)),
            photometric: o[Key.photometric]?.intValue.map { UInt16(truncatingIfNeeded: $0) }
                ?? SourceInfo.unknownPhotometric)
        if let (width, height) = pair(Key.resized) {
            let (x, y) = pair(Key.offset) ?? (0, 0)
            info.placement = Placement(
                resizedWidth: UInt32(truncatingIfNeeded: width), resizedHeight: UInt32(truncatingIfNeeded: height),
                offsetX: Int32(truncatingIfNeeded: x), offsetY: Int32(truncatingIfNeeded: y))
        }
        func choice<E: RawRepresentable>(_ key: String, _ fallback: E) -> E where E.RawValue == String {
            o[key]?.stringValue.flatMap(E.init(rawValue:)) ?? fallback
        }
        return ManifestRecord(
            row: Int(row), source: SourceIdentity(relativePath: source, size: bytes, modificationTimeNanoseconds: mtime),
            info: info, page: Int(u(Key.page)), dtype: choice(Key.dtype, .uint8), color: choice(Key.color, .gray),
            resize: choice(Key.resize, .stretch), padValue: o[Key.padValue]?.numberValue ?? 0,
            pagesMode: choice(Key.pagesMode, .first))
    }
}
