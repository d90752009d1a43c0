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
/// What the decoder reports about a source image (page 0).
public struct SourceInfo: Equatable, Sendable {
    public var width: UInt32
    public var height: UInt32
    public var bitsPerSample: UInt16
    public var channels: UInt16
    public var pages: UInt32
    public var compression: UInt16
    public var usedFallback: Bool
    /// Size and mtime of the file as the worker found it when it opened it (nil if unknown).
    public var observed: ObservedFile?

    public init(
        width: UInt32, height: UInt32, bitsPerSample: UInt16, channels: UInt16, pages: UInt32,
        compression: UInt16 = 1, usedFallback: Bool = false, observed: ObservedFile? = nil
    ) {
        self.observed = observed
        self.width = width
        self.height = height
        self.bitsPerSample = bitsPerSample
        self.channels = channels
        self.pages = pages
        self.compression = compression
        self.usedFallback = usedFallback
    }
}

/// A file's size and modification time as seen at one moment.
public struct ObservedFile: Equatable, Sendable {
    public var size: Int64
    public var modificationTimeNanoseconds: Int64

    public init(size: Int64, modificationTimeNanoseconds: Int64) {
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }
}
