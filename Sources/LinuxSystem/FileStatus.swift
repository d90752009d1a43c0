import Glibc

/// What `stat(2)` says about a file.
public struct FileStatus: Sendable, Equatable {
    /// File type.
    public var kind: FileKind
    /// Size in bytes (`st_size`).
    public var size: Int64
    /// Last modification time in nanoseconds since the Unix epoch (`st_mtim`).
    public var modificationTimeNanoseconds: Int64
    /// Inode number (`st_ino`).
    public var inode: UInt64
    /// Device the file lives on (`st_dev`).
    public var device: UInt64
    /// Full mode: type and permission bits (`st_mode`).
    public var mode: UInt32

    /// Creates a status from its fields.
    public init(
        kind: FileKind, size: Int64, modificationTimeNanoseconds: Int64, inode: UInt64, device: UInt64, mode: UInt32
    ) {
        self.kind = kind
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.inode = inode
        self.device = device
        self.mode = mode
    }

    /// Converts a C `struct stat`.
    init(_ raw: stat) {
        self.init(
            kind: FileKind(mode: raw.st_mode),
            size: Int64(raw.st_size),
            modificationTimeNanoseconds: Int64(raw.st_mtim.tv_sec) * 1_000_000_000 + Int64(raw.st_mtim.tv_nsec),
            inode: UInt64(raw.st_ino),
            device: UInt64(raw.st_dev),
            mode: UInt32(raw.st_mode)
        )
    }

    /// The permission bits only (`mode & 0o7777`).
    public var permissions: UInt32 {
        mode & 0o7777
    }
}
