/// What makes two sightings of a file the same source: name, size and mtime.
public struct SourceIdentity: Hashable, Sendable {
    public var relativePath: SourcePath
    public var size: Int64
    public var modificationTimeNanoseconds: Int64

    public init(relativePath: SourcePath, size: Int64, modificationTimeNanoseconds: Int64) {
        self.relativePath = relativePath
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }
}
