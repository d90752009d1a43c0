import Glibc

extension FileDescriptor {
    /// Flushes the file's data and metadata to the storage device.
    ///
    /// The corresponding C function is `fsync`.
    public func sync() throws {
        _ = try SystemCall.value("fsync") { fsync(rawValue) }
    }

    /// The file's type, size, modification time and identity.
    ///
    /// The corresponding C function is `fstat`.
    public func status() throws -> FileStatus {
        var raw = stat()
        _ = try SystemCall.value("fstat") { fstat(rawValue, &raw) }
        return FileStatus(raw)
    }

    /// Sets the file's size to `size` bytes, cutting or zero-extending it.
    ///
    /// The corresponding C function is `ftruncate`.
    public func truncate(to size: Int) throws {
        _ = try SystemCall.value("ftruncate") { ftruncate(rawValue, off_t(size)) }
    }

    /// Reads from the current position to end of file.
    ///
    /// The corresponding C function is `read`.
    public func readToEnd() throws -> [UInt8] {
        // A regular file's size is a good first guess; pipes and /proc files report 0.
        let hint = (try? status()).map { Int($0.size) } ?? 0
        var bytes = [UInt8]()
        var capacity = max(hint + 1, 4096)
        while true {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: capacity - start))
            let count = try bytes.withUnsafeMutableBytes { all in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: all[start...]))
            }
            bytes.removeLast(capacity - start - count)
            if count == 0 {
                return bytes
            }
            if bytes.count == capacity {
                capacity *= 2
            }
        }
    }
}

extension FileDescriptor {
    /// Asks the kernel to start reading `length` bytes from `offset` into the page cache in the background
    /// (`length` 0: to the end of the file). Advice only: returns at once, and a failure changes nothing.
    ///
    /// The corresponding C function is `posix_fadvise` with `POSIX_FADV_WILLNEED`.
    public func adviseWillNeed(offset: Int64 = 0, length: Int64 = 0) throws {
        try SystemCall.returnedError("posix_fadvise") {
            posix_fadvise(rawValue, off_t(offset), off_t(length), POSIX_FADV_WILLNEED)
        }
    }
}
