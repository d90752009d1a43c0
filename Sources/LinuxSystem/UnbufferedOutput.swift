import Glibc

/// Best-effort `write(2)` of a whole string, shared by ``StandardError`` and ``StandardOutput``.
enum UnbufferedOutput {
    /// Writes all of `text` to `fd`; stops at the first error, including `EBADF` (a closed stdio
    /// descriptor is the environment's choice, not a bug here).
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let result = SystemCall.valueOrErrno("write", badDescriptorIsError: true) {
                    Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                }
                guard case .success(let written) = result, written > 0 else { return }
                offset += written
            }
        }
    }
}
