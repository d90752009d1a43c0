/// One decode job: read `path` (relative to the batch's root) and resize it into row `row` of slot `slot`.
public struct DecodeJob: Equatable, Sendable {
    public var id: UInt64
    public var slot: UInt32
    public var row: UInt32
    public var path: SourcePath

    public init(id: UInt64, slot: UInt32, row: UInt32, path: SourcePath) {
        self.id = id
        self.slot = slot
        self.row = row
        self.path = path
    }
}
