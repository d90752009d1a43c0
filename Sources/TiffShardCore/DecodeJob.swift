/// One decode job: read page `page` of `path` (relative to the batch's root) and resize it into row `row` of
/// slot `slot`. Pages count as `tsk_info.pages` does (reduced-resolution images are not pages).
public struct DecodeJob: Equatable, Sendable {
    public var id: UInt64
    public var slot: UInt32
    public var row: UInt32
    public var path: SourcePath
    public var page: UInt32

    public init(id: UInt64, slot: UInt32, row: UInt32, path: SourcePath, page: UInt32 = 0) {
        self.page = page
        self.id = id
        self.slot = slot
        self.row = row
        self.path = path
    }
}
