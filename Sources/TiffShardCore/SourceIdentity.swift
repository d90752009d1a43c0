/// What makes two sightings of a file the same source: name, size and mtime.
public struct SourceIdentity: Hashable, Sendable {
    public var relativePath: String
    public var size: Int64
    public var modificationTimeNanoseconds: Int64

    public init(relativePath: String, size: Int64, modificationTimeNanoseconds: Int64) {
        self.relativePath = relativePath
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }
}
