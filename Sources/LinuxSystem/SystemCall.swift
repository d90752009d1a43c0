import Glibc

/// The one place that calls into C, retries `EINTR`, captures `errno` and turns it into an error.
///
/// `EBADF` and `EFAULT` mean the program passed a descriptor or pointer it does not own: a bug in this
/// process, not a condition to handle, so they stop the program (as SwiftNIO does).
enum SystemCall {
    /// Runs `body` (a C call returning -1 and setting `errno` on failure), retrying it while it fails
    /// with `EINTR` if `retryOnInterrupt`, and returns its value or the error number. With
    /// `badDescriptorIsError`, `EBADF` is returned like any error instead of stopping the program
    /// (for the standard streams, which the environment may have closed).
    @inline(__always)
    static func valueOrErrno<Value: FixedWidthInteger>(
        _ call: String,
        retryOnInterrupt: Bool = true,
        badDescriptorIsError: Bool = false,
        _ body: () -> Value
    ) -> Result<Value, Errno> {
        while true {
            let value = body()
            if value != -1 {
                return .success(value)
            }
            let error = Errno.current
            if error == .interrupted && retryOnInterrupt {
                continue
            }
            if !(badDescriptorIsError && error == .badFileDescriptor) {
                checkNotProgrammingError(error, call: call)
            }
            return .failure(error)
        }
    }

    /// Like ``valueOrErrno(_:retryOnInterrupt:_:)`` but throws a ``SystemCallError`` naming `call` and `path`.
    @inline(__always)
    static func value<Value: FixedWidthInteger>(
        _ call: String,
        path: String? = nil,
        _ body: () -> Value
    ) throws -> Value {
        switch valueOrErrno(call, body) {
        case .success(let value): return value
        case .failure(let error): throw SystemCallError(call: call, path: path, errno: error)
        }
    }

    /// For calls that return an error number instead of setting `errno` (`posix_spawn`, `pthread_*`):
    /// throws unless `body` returns 0.
    static func returnedError(_ call: String, path: String? = nil, _ body: () -> Int32) throws {
        let code = body()
        guard code != 0 else { return }
        let error = Errno(rawValue: code)
        checkNotProgrammingError(error, call: call)
        throw SystemCallError(call: call, path: path, errno: error)
    }

    /// The error for a call that signalled failure some other way (a NULL pointer, `MAP_FAILED`):
    /// reads `errno` now, so call it right after the failing call.
    static func lastError(_ call: String, path: String? = nil) -> SystemCallError {
        let error = Errno.current
        checkNotProgrammingError(error, call: call)
        return SystemCallError(call: call, path: path, errno: error)
    }

    /// Stops the program on `EBADF`/`EFAULT`, which only a bug in this process can cause.
    static func checkNotProgrammingError(_ error: Errno, call: String) {
        if error == .badFileDescriptor || error.rawValue == EFAULT {
            preconditionFailure(
                "\(call) failed with \(error) (\(error.rawValue)): a descriptor or pointer this process does not own")
        }
    }
}
