/// What `tiffshard inspect OUT` concludes about an output folder, from what was read of it: every shard's
/// `.npy` header and size, every manifest line. Pure: the reading is `Inspector`'s (daemon target).
///
/// Problems (the folder is not consistent, exit 1): a `.npy` whose header does not parse or whose size is not
/// the header's, a published shard without its manifest, a manifest with a missing, extra, unreadable or
/// misnumbered line, and a source page listed in more than one row of the folder. Notes (explained, not
/// errors): gaps in a writer's numbering, leftovers of an interrupted publication, a manifest whose `.npy`
/// was not renamed in yet.
public struct FolderInspection: Sendable {
    /// What was read of one published shard.
    public struct ShardFacts: Sendable {
        public var arrayName: String
        public var manifestName: String
        /// The header and where the data starts; nil when it does not parse.
        public var header: (header: NPYHeader, dataOffset: Int)?
        /// The `.npy` file's size in bytes.
        public var fileSize: Int64
        /// Every line of the manifest (nil: no manifest), parsed or not.
        public var manifest: [ManifestRecord?]?

        public init(arrayName: String, manifestName: String, header: (header: NPYHeader, dataOffset: Int)?, fileSize: Int64,
                    manifest: [ManifestRecord?]?) {
            self.arrayName = arrayName
            self.manifestName = manifestName
            self.header = header
            self.fileSize = fileSize
            self.manifest = manifest
        }
    }

    /// One shard as reported.
    public struct ShardSummary: Equatable, Sendable {
        public var file: String
        public var rows: Int
        public var descr: String
        public var shape: [Int]
        public var bytes: Int64
    }

    public private(set) var shards: [ShardSummary] = []
    public private(set) var problems: [String] = []
    public private(set) var notes: [String] = []
    /// Rows of every published shard.
    public private(set) var images = 0
    public private(set) var bytes: Int64 = 0
    /// Distinct row geometries ("HxW" or "HxWx3") and dtypes.
    public private(set) var geometries: [String] = []
    public private(set) var dtypes: [String] = []
    /// Writers: instance prefixes and partitions (`convert` alone: "").
    public private(set) var writers: [String] = []

    public var isConsistent: Bool { problems.isEmpty }

    public init(folder: OutputFolder, facts: [ShardFacts]) {
        var geometrySet: Set<String> = [], dtypeSet: Set<String> = []
        // Where each source page was seen first: "shard row N".
        var seen: [SourceKey: String] = [:]
        for fact in facts {
            guard let (header, offset) = fact.header else {
                problems.append("\(fact.arrayName): not a shard .npy (its header does not parse)")
                continue
            }
            let expected = Int64(offset + header.dataByteCount)
            if fact.fileSize != expected {
                problems.append(
                    "\(fact.arrayName): \(fact.fileSize) bytes, its header (\(header.rows) rows) says \(expected)"
                        + (fact.fileSize < expected ? " (truncated)" : ""))
            }
            let shape = [header.rows, header.height, header.width] + (header.color == .rgb ? [3] : [])
            shards.append(ShardSummary(
                file: fact.arrayName, rows: header.rows, descr: header.dtype.npyDescriptor, shape: shape, bytes: fact.fileSize))
            images += header.rows
            bytes += fact.fileSize
            geometrySet.insert(shape.dropFirst().map(String.init).joined(separator: "x"))
            dtypeSet.insert(header.dtype.rawValue)
            guard let lines = fact.manifest else {
                problems.append("\(fact.arrayName): no manifest \(fact.manifestName)")
                continue
            }
            if lines.count != header.rows {
                problems.append("\(fact.manifestName): \(lines.count) lines for \(header.rows) rows")
            }
            // One manifest gives at most `shown` lines of each kind of problem, then how many more there are.
            var found: [String: (shown: [String], more: Int)] = [:]
            func report(_ kind: String, _ text: String) {
                if found[kind, default: ([], 0)].shown.count < Self.shown { found[kind, default: ([], 0)].shown.append(text) }
                else { found[kind, default: ([], 0)].more += 1 }
            }
            for (index, line) in lines.enumerated() {
                guard let record = line else {
                    report("unreadable", "\(fact.manifestName) line \(index + 1): not a manifest record")
                    continue
                }
                if record.row != index {
                    report("row", "\(fact.manifestName) line \(index + 1): says row \(record.row)")
                }
                let key = SourceKey(source: record.source, page: record.page)
                let here = "\(fact.arrayName) row \(index)"
                if let first = seen[key] {
                    let name = String(decoding: record.source.relativePath.bytes, as: UTF8.self)
                    report("twice", "\(name) page \(record.page) is in two rows: \(first) and \(here)")
                } else {
                    seen[key] = here
                }
            }
            for kind in ["unreadable", "row", "twice"] {
                guard let (shown, more) = found[kind] else { continue }
                problems += shown
                if more > 0 { problems.append("\(fact.manifestName): \(more) more like the last one") }
            }
        }
        geometries = geometrySet.sorted()
        dtypes = dtypeSet.sorted()
        writers = folder.writers.map(\.writerName)
        // Gaps in a writer's numbering: not errors (a shard whose every row was rejected takes no number, but a
        // deleted shard or one cut off between its renames leaves a gap), so they are explained.
        for writer in folder.writers {
            let numbers = folder.published.filter { $0.writer == writer }.map(\.sequence)
            guard let last = numbers.max() else { continue }
            let missing = Set(0...last).subtracting(numbers).sorted()
            if !missing.isEmpty {
                let listed = missing.prefix(10).map(String.init).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
                notes.append(
                    "\(writer.writerName.isEmpty ? "shards" : writer.writerName): no shard number \(listed) "
                        + "(deleted, or a publication that never finished; rows are not lost by a gap alone)")
            }
        }
        for shard in folder.unfinished {
            notes.append("\(shard.manifestName) without its .npy: a publication cut off between its renames "
                + "(its writer removes it at its next start; its sources were not disposed of)")
        }
        for name in folder.temporary {
            notes.append("\(name): temporary file of a publication in progress or interrupted (not a shard)")
        }
    }

    /// Problems of one kind listed per manifest before the rest are counted.
    static let shown = 3

    /// A source page: the identity of the file and which page of it.
    struct SourceKey: Hashable {
        var source: SourceIdentity
        var page: Int
    }

    /// The `--json` report.
    public var json: String {
        var w = JSONObjectWriter()
        w.add("consistent", isConsistent)
        w.add("images", images)
        w.add("shard_count", shards.count)
        w.add("bytes", Int(bytes))
        w.add("geometries", geometries)
        w.add("dtypes", dtypes)
        w.add("writers", writers)
        w.add("problems", problems)
        w.add("notes", notes)
        w.add("shards", json: "[" + shards.map { shard in
            var s = JSONObjectWriter()
            s.add("file", shard.file)
            s.add("rows", shard.rows)
            s.add("descr", shard.descr)
            s.add("shape", shard.shape)
            s.add("bytes", Int(shard.bytes))
            return s.result
        }.joined(separator: ", ") + "]")
        return w.result
    }
}
