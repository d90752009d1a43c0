import Glibc

/// Flags for ``FileDescriptor/open(_:_:mode:)``; `O_CLOEXEC` is always added.
public struct OpenFlags: OptionSet, Sendable {
    /// The raw C bits.
    public let rawValue: Int32

    /// Wraps raw C bits.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Open for reading only (`O_RDONLY`, which is 0: the empty set).
    public static let readOnly = OpenFlags([])
    /// Open for writing only (`O_WRONLY`).
    public static let writeOnly = OpenFlags(rawValue: O_WRONLY)
    /// Open for reading and writing (`O_RDWR`).
    public static let readWrite = OpenFlags(rawValue: O_RDWR)
    /// Create the file if it does not exist (`O_CREAT`).
    public static let create = OpenFlags(rawValue: O_CREAT)
    /// With ``create``: fail with `EEXIST` if the file exists (`O_EXCL`).
    public static let exclusive = OpenFlags(rawValue: O_EXCL)
    /// Truncate an existing regular file to 0 bytes (`O_TRUNC`).
    public static let truncate = OpenFlags(rawValue: O_TRUNC)
    /// Every write appends (`O_APPEND`).
    public static let append = OpenFlags(rawValue: O_APPEND)
    /// Fail with `ENOTDIR` unless the path is a directory (`O_DIRECTORY`).
    public static let directory = OpenFlags(rawValue: O_DIRECTORY)
    /// Fail with `ELOOP` if the last component is a symbolic link (`O_NOFOLLOW`).
    public static let noFollow = OpenFlags(rawValue: O_NOFOLLOW)
    /// Reads and writes return `EAGAIN` instead of blocking (`O_NONBLOCK`).
    public static let nonBlocking = OpenFlags(rawValue: O_NONBLOCK)
}
