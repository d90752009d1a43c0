/// `part-0003-of-0016.done.json`: written (atomically, durably) by a partitioned `convert` once every file of
/// its partition is in a published shard or recorded as rejected. A rerun of a completed partition does
/// nothing; `tiffshard index` calls the dataset complete when every partition 0…N−1 has one.
///
/// One flat JSON object (a public format: keep the keys), e.g.
/// `{"partition": 3, "partitions": 16, "complete": true, "files": 250, "images": 247, "shards": 1, …}`.
public struct CompletionMarker: Equatable, Sendable {
    /// Which partition.
    public var partition: Partition
    /// Entries of the whole sorted list the split was computed from, and its fingerprint (`PartitionPlan`).
    public var listTotal: Int
    public var listDigest: String
    /// Entries of this partition (TIFF names found in SRC: converted or rejected).
    public var files: Int
    /// The partition's first and last entry (nil when it is empty).
    public var firstSource: SourcePath?
    public var lastSource: SourcePath?
    /// Rows in the partition's shards (all runs), and the shards.
    public var images: Int
    public var shards: Int
    /// Sources with a rejection record (sorted, each once); details in `rejectedLog`.
    public var rejected: [SourcePath]
    /// The partition's rejection log, `part-0003-of-0016.rejected.jsonl`.
    public var rejectedLog: String
    /// Rows the finishing run published (less than `images` when it continued an earlier one), and whether
    /// earlier runs had published some of the partition.
    public var runImages: Int
    public var resumed: Bool
    /// When the finishing run ended (ns since the epoch) and how long it ran.
    public var finishedNanoseconds: Int64
    public var seconds: Double
    /// The rows' format, for people (the `.npy` headers are the truth).
    public var dtype: String
    public var color: String
    public var pages: String
    public var width: Int
    public var height: Int

    public init(
        partition: Partition, listTotal: Int, listDigest: String, files: Int, firstSource: SourcePath?,
        lastSource: SourcePath?, images: Int, shards: Int, rejected: [SourcePath], rejectedLog: String, runImages: Int,
        resumed: Bool, finishedNanoseconds: Int64, seconds: Double, dtype: String, color: String, pages: String,
        width: Int, height: Int
    ) {
        self.partition = partition
        self.listTotal = listTotal
        self.listDigest = listDigest
        self.files = files
        self.firstSource = firstSource
        self.lastSource = lastSource
        self.images = images
        self.shards = shards
        self.rejected = rejected
        self.rejectedLog = rejectedLog
        self.runImages = runImages
        self.resumed = resumed
        self.finishedNanoseconds = finishedNanoseconds
        self.seconds = seconds
        self.dtype = dtype
        self.color = color
        self.pages = pages
        self.width = width
        self.height = height
    }

    /// JSON keys (a public format).
    public enum Key {
        public static let partition = "partition"
        public static let partitions = "partitions"
        public static let complete = "complete"
        public static let listFiles = "list_files"
        public static let listDigest = "list_digest"
        public static let files = "files"
        public static let firstSource = "first_source"
        public static let lastSource = "last_source"
        public static let images = "images"
        public static let shards = "shards"
        public static let rejected = "rejected"
        public static let rejectedSources = "rejected_sources"
        public static let rejectedLog = "rejected_log"
        public static let runImages = "run_images"
        public static let resumed = "resumed"
        public static let finished = "finished"
        public static let finishedNanoseconds = "finished_ns"
        public static let seconds = "seconds"
        public static let dtype = "dtype"
        public static let color = "color"
        public static let pages = "pages"
        public static let width = "width"
        public static let height = "height"
    }

    /// The file's text: one JSON object and a newline.
    public func encoded() -> String {
        var w = JSONObjectWriter()
        w.add(Key.partition, partition.index)
        w.add(Key.partitions, partition.count)
        w.add(Key.complete, true)
        w.add(Key.files, files)
        w.add(Key.images, images)
        w.add(Key.shards, shards)
        w.add(Key.rejected, rejected.count)
        w.add(Key.rejectedSources, rejected)
        w.add(Key.rejectedLog, rejectedLog)
        if let firstSource { w.add(Key.firstSource, firstSource) } else { w.addNull(Key.firstSource) }
        if let lastSource { w.add(Key.lastSource, lastSource) } else { w.addNull(Key.lastSource) }
        w.add(Key.listFiles, listTotal)
        w.add(Key.listDigest, listDigest)
        w.add(Key.runImages, runImages)
        w.add(Key.resumed, resumed)
        w.add(Key.finished, ISOTime.format(nanoseconds: finishedNanoseconds))
        w.add(Key.finishedNanoseconds, finishedNanoseconds)
        w.add(Key.seconds, (seconds * 1000).rounded() / 1000)
        w.add(Key.dtype, dtype)
        w.add(Key.color, color)
        w.add(Key.pages, pages)
        w.add(Key.width, width)
        w.add(Key.height, height)
        return w.result + "\n"
    }

    /// Parses a marker; nil unless it names a valid partition, says `"complete": true` and has the counts.
    public static func parse(_ text: String) -> CompletionMarker? {
        var line = Substring(text)
        while let last = line.last, last == "\n" || last == " " { line = line.dropLast() }
        guard let o = JSONObjectParser.parse(String(line)), case .bool(true)? = o[Key.complete],
            let i = o[Key.partition]?.intValue, let n = o[Key.partitions]?.intValue,
            let partition = try? Partition(index: Int(i), count: Int(n)),
            let files = o[Key.files]?.intValue, let images = o[Key.images]?.intValue, let shards = o[Key.shards]?.intValue
        else { return nil }
        var rejected: [SourcePath] = []
        if case .array(let values)? = o[Key.rejectedSources] { rejected = values.compactMap(\.pathValue) }
        return CompletionMarker(
            partition: partition, listTotal: Int(o[Key.listFiles]?.intValue ?? -1),
            listDigest: o[Key.listDigest]?.stringValue ?? "", files: Int(files),
            firstSource: o[Key.firstSource]?.pathValue, lastSource: o[Key.lastSource]?.pathValue, images: Int(images),
            shards: Int(shards), rejected: rejected, rejectedLog: o[Key.rejectedLog]?.stringValue ?? "",
            runImages: Int(o[Key.runImages]?.intValue ?? 0), resumed: o[Key.resumed] == .bool(true),
            finishedNanoseconds: o[Key.finishedNanoseconds]?.intValue ?? 0, seconds: o[Key.seconds]?.numberValue ?? 0,
            dtype: o[Key.dtype]?.stringValue ?? "", color: o[Key.color]?.stringValue ?? "",
            pages: o[Key.pages]?.stringValue ?? "", width: Int(o[Key.width]?.intValue ?? 0),
            height: Int(o[Key.height]?.intValue ?? 0))
    }
}
