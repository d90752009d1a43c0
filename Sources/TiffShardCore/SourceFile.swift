/// A candidate input file as the shell saw it when it was admitted.
///
/// Its identity for exactly-once purposes is (relative path, size, modification time): a file
/// replaced by new content under the same name is a new source. The path is relative to the ingest or
/// source directory and kept as bytes; the root is joined only at the system call.
public struct SourceFile: Hashable, Sendable {
    /// Path relative to the ingest or source directory, as written in manifests.
    public var relativePath: SourcePath
    /// Size in bytes at admission.
    public var size: Int64
    /// Modification time at admission, nanoseconds since the epoch.
    public var modificationTimeNanoseconds: Int64

    public init(relativePath: SourcePath, size: Int64, modificationTimeNanoseconds: Int64) {
        self.relativePath = relativePath
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }

    /// The exactly-once identity of this source.
    public var identity: SourceIdentity {
        SourceIdentity(relativePath: relativePath, size: size, modificationTimeNanoseconds: modificationTimeNanoseconds)
    }
}
