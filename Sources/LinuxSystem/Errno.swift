import Glibc

/// An error number reported by a system call (`errno`).
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw C error number, e.g. `ENOENT`.
    public var rawValue: Int32

    /// Wraps a raw C error number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The error number the calling thread's last failed C call left in `errno`.
    public static var current: Errno {
        Errno(rawValue: Glibc.errno)
    }

    /// The system's message for this error, e.g. "No space left on device".
    ///
    /// The corresponding C function is `strerror`.
    public var description: String {
        guard let message = strerror(rawValue) else { return "error \(rawValue)" }
        return String(cString: message)
    }

    /// Resource temporarily unavailable (`EAGAIN`, also `EWOULDBLOCK`).
    public static let again = Errno(rawValue: EAGAIN)
    /// Interrupted system call (`EINTR`).
    public static let interrupted = Errno(rawValue: EINTR)
    /// No such file or directory (`ENOENT`).
    public static let noEntry = Errno(rawValue: ENOENT)
    /// File exists (`EEXIST`).
    public static let exists = Errno(rawValue: EEXIST)
    /// No space left on device (`ENOSPC`).
    public static let noSpace = Errno(rawValue: ENOSPC)
    /// Not a directory (`ENOTDIR`).
    public static let notDirectory = Errno(rawValue: ENOTDIR)
    /// Is a directory (`EISDIR`).
    public static let isDirectory = Errno(rawValue: EISDIR)
    /// Too many levels of symbolic links (`ELOOP`).
    public static let loop = Errno(rawValue: ELOOP)
    /// Too many levels of symbolic links (`ELOOP`), e.g. `O_NOFOLLOW` on a symlink; the same as ``loop``.
    public static let tooManyLinks = Errno(rawValue: ELOOP)
    /// Too many hard links (`EMLINK`).
    public static let tooManyHardLinks = Errno(rawValue: EMLINK)
    /// Permission denied by file mode or ACL (`EACCES`).
    public static let accessDenied = Errno(rawValue: EACCES)
    /// Operation not permitted (`EPERM`).
    public static let permission = Errno(rawValue: EPERM)
    /// Read-only file system (`EROFS`).
    public static let readOnlyFileSystem = Errno(rawValue: EROFS)
    /// Invalid cross-device link (`EXDEV`).
    public static let crossDevice = Errno(rawValue: EXDEV)
    /// No child processes (`ECHILD`).
    public static let noChild = Errno(rawValue: ECHILD)
    /// Bad file descriptor (`EBADF`).
    public static let badFileDescriptor = Errno(rawValue: EBADF)
    /// Directory not empty (`ENOTEMPTY`).
    public static let notEmpty = Errno(rawValue: ENOTEMPTY)
    /// File name too long (`ENAMETOOLONG`).
    public static let nameTooLong = Errno(rawValue: ENAMETOOLONG)
    /// Invalid argument (`EINVAL`).
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// No such process (`ESRCH`).
    public static let noSuchProcess = Errno(rawValue: ESRCH)
    /// Broken pipe (`EPIPE`).
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// Cannot allocate memory (`ENOMEM`).
    public static let noMemory = Errno(rawValue: ENOMEM)
    /// Too many open files in this process (`EMFILE`).
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// Disk quota exceeded (`EDQUOT`).
    public static let quotaExceeded = Errno(rawValue: EDQUOT)
    /// Input/output error (`EIO`).
    public static let ioError = Errno(rawValue: EIO)
}
