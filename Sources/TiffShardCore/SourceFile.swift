/// A candidate input file as the supervisor saw it when it was admitted.
///
/// Its identity for exactly-once purposes is (relative path, size, modification time): a file
/// replaced by new content under the same name is a new source.
public struct SourceFile: Hashable, Sendable {
    /// Absolute (or supervisor-relative) path used to open the file.
    public var path: String
    /// Path relative to the ingest or source directory, as written in manifests.
    public var relativePath: String
    /// Size in bytes at admission.
    public var size: Int64
    /// Modification time at admission, nanoseconds since the epoch.
    public var modificationTimeNanoseconds: Int64

    public init(path: String, relativePath: String, size: Int64, modificationTimeNanoseconds: Int64) {
        self.path = path
        self.relativePath = relativePath
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }

    /// The exactly-once identity of this source.
    public var identity: SourceIdentity {
        SourceIdentity(relativePath: relativePath, size: size, modificationTimeNanoseconds: modificationTimeNanoseconds)
    }
}
