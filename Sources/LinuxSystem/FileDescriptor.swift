import Glibc

/// A Linux file descriptor: a plain number, not an owner. Whoever creates one closes it with ``close()``.
public struct FileDescriptor: Hashable, Sendable {
    /// The raw descriptor number.
    public let rawValue: Int32

    /// Wraps a raw descriptor number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Descriptor 0.
    public static let standardInput = FileDescriptor(rawValue: 0)
    /// Descriptor 1.
    public static let standardOutput = FileDescriptor(rawValue: 1)
    /// Descriptor 2.
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Opens `path`; `O_CLOEXEC` is always added to `flags`.
    ///
    /// The corresponding C function is `open`.
    public static func open(_ path: some SystemPath, _ flags: OpenFlags, mode: UInt32 = 0o644) throws -> FileDescriptor {
        let fd = try SystemCall.value("open", path: path.displayPath) {
            path.withCPath { Glibc.open($0, flags.rawValue | O_CLOEXEC, mode_t(mode)) }
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Reads up to `buffer.count` bytes; returns the number read, 0 at end of file.
    ///
    /// The corresponding C function is `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try SystemCall.value("read") {
            Glibc.read(rawValue, buffer.baseAddress, buffer.count)
        }
    }

    /// Reads like ``read(into:)`` but returns `nil` instead of failing with `EAGAIN` on a non-blocking
    /// descriptor that has nothing to read.
    ///
    /// The corresponding C function is `read`.
    public func readIfAvailable(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        switch SystemCall.valueOrErrno("read", { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }) {
        case .success(let count): return count
        case .failure(.again): return nil
        case .failure(let error): throw SystemCallError(call: "read", errno: error)
        }
    }

    /// Writes some of `bytes` and returns how many were written (possibly fewer than `bytes.count`).
    ///
    /// The corresponding C function is `write`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        try SystemCall.value("write") {
            Glibc.write(rawValue, bytes.baseAddress, bytes.count)
        }
    }

    /// Closes the descriptor. Never retried: on Linux the descriptor is gone even when `close` reports
    /// `EINTR`, and retrying could close a descriptor another thread just opened. Other errors (`EIO`
    /// from a network file system) are ignored: callers that need durability call ``sync()`` first.
    ///
    /// The corresponding C function is `close`.
    public func close() {
        _ = SystemCall.valueOrErrno("close", retryOnInterrupt: false) { Glibc.close(rawValue) }
    }

    /// Switches `O_NONBLOCK` on or off.
    ///
    /// The corresponding C function is `fcntl` (`F_GETFL`/`F_SETFL`).
    public func setNonBlocking(_ on: Bool) throws {
        let flags = try SystemCall.value("fcntl(F_GETFL)") { fcntl(rawValue, F_GETFL) }
        let updated = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        guard updated != flags else { return }
        _ = try SystemCall.value("fcntl(F_SETFL)") { fcntl(rawValue, F_SETFL, updated) }
    }

    /// Whether `O_NONBLOCK` is set.
    ///
    /// The corresponding C function is `fcntl` (`F_GETFL`).
    public func isNonBlocking() throws -> Bool {
        let flags = try SystemCall.value("fcntl(F_GETFL)") { fcntl(rawValue, F_GETFL) }
        return flags & O_NONBLOCK != 0
    }

    /// Whether `FD_CLOEXEC` is set, i.e. the descriptor is closed when this process calls `exec`.
    ///
    /// The corresponding C function is `fcntl` (`F_GETFD`).
    public func isCloseOnExec() throws -> Bool {
        let flags = try SystemCall.value("fcntl(F_GETFD)") { fcntl(rawValue, F_GETFD) }
        return flags & FD_CLOEXEC != 0
    }

    /// A new descriptor (the lowest free number) for the same open file, with close-on-exec set.
    ///
    /// The corresponding C function is `fcntl` (`F_DUPFD_CLOEXEC`).
    public func duplicate() throws -> FileDescriptor {
        try duplicate(atLeast: 0)
    }

    /// A new descriptor numbered `minimum` or higher for the same open file, with close-on-exec set.
    ///
    /// The corresponding C function is `fcntl` (`F_DUPFD_CLOEXEC`).
    public func duplicate(atLeast minimum: Int32) throws -> FileDescriptor {
        let fd = try SystemCall.value("fcntl(F_DUPFD_CLOEXEC)") { fcntl(rawValue, F_DUPFD_CLOEXEC, minimum) }
        return FileDescriptor(rawValue: fd)
    }
}
