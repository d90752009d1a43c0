/// A shard ready to be written: its rows (only the decoded ones, in row order) and where they are in memory.
public struct ShardPublication: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        /// Row index inside the ring segment.
        public var physicalRow: Int
        public var source: SourceFile
        public var info: SourceInfo
        /// The page of the source in this row (0 unless `pages: all`).
        public var page: Int

        public init(physicalRow: Int, source: SourceFile, info: SourceInfo, page: Int = 0) {
            self.physicalRow = physicalRow
            self.source = source
            self.info = info
            self.page = page
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
}
