/// A shard ready to be written: its rows (only the decoded ones, in row order) and where they are in memory.
public struct ShardPublication: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        /// Row index inside the ring segment.
        public var physicalRow: Int
        public var source: SourceFile
        public var info: SourceInfo
        /// The page of the source in this row (0 unless `pages: all`).
        public var page: Int
        /// Whether this row is the source's last (always, unless `pages: all`): once it is durable, every page of
        /// the source is (shards publish in sequence order), so the source is disposed of with this shard.
        public var completesSource: Bool

        public init(physicalRow: Int, source: SourceFile, info: SourceInfo, page: Int = 0, completesSource: Bool = true) {
            self.physicalRow = physicalRow
            self.source = source
            self.info = info
            self.page = page
            self.completesSource = completesSource
        }
    }
    public var sequence: Int
    public var slot: Int
    public var width: Int
    public var height: Int
    /// The format of every row (one shard never mixes formats): the `.npy` header's dtype and shape, and the
    /// manifest's `dtype`, `color`, `resize`, `pad_value`.
    public var output: OutputFormat = .default
    public var rows: [Row]
    /// 1 for the first try, incremented on each retry after an I/O failure.
    public var attempt: Int

    /// The sources this shard completes, in row order: to dispose of once it is durable, and to tell the intake
    /// about. A source with pages still to come (in later shards) is not among them.
    public var completedSources: [SourceFile] { rows.compactMap { $0.completesSource ? $0.source : nil } }
}
