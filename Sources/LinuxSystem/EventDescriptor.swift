import CLinuxShim
import Glibc

/// An eventfd: a counter another thread can bump to wake a reactor blocked in `epoll_wait`.
public final class EventDescriptor: @unchecked Sendable {
    /// The non-blocking, close-on-exec descriptor to poll for readability. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor

    /// Creates a counter at 0.
    ///
    /// The corresponding C function is `eventfd` (`EFD_NONBLOCK | EFD_CLOEXEC`).
    public init() throws {
        fileDescriptor = FileDescriptor(rawValue: try SystemCall.value("eventfd") { tsl_eventfd_create() })
    }

    /// Adds 1 to the counter, making the descriptor readable. Safe from any thread.
    ///
    /// The corresponding C function is `write`.
    public func signal() throws {
        var one: UInt64 = 1
        let result = withUnsafeBytes(of: &one) { bytes in
            SystemCall.valueOrErrno("write") { write(fileDescriptor.rawValue, bytes.baseAddress, 8) }
        }
        switch result {
        case .success, .failure(.again):
            // EAGAIN: the counter is at its maximum, so the descriptor is already readable.
            return
        case .failure(let error):
            throw SystemCallError(call: "write(eventfd)", errno: error)
        }
    }

    /// Reads and resets the counter; 0 if it was not signalled.
    ///
    /// The corresponding C function is `read`.
    public func drain() throws -> UInt64 {
        var count: UInt64 = 0
        let read = try withUnsafeMutableBytes(of: &count) { try fileDescriptor.readIfAvailable(into: $0) }
        return read == 8 ? count : 0
    }

    /// Closes the descriptor.
    deinit {
        fileDescriptor.close()
    }
}
