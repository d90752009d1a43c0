/// A file's size and modification time as seen at one moment.
public struct ObservedFile: Equatable, Sendable {
    public var size: Int64
    public var modificationTimeNanoseconds: Int64

    public init(size: Int64, modificationTimeNanoseconds: Int64) {
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }
}
