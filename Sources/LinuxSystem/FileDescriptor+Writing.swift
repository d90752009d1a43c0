import Glibc

extension FileDescriptor {
    /// The most buffers one `writev` accepts (`IOV_MAX`, which Swift's Glibc does not import).
    static let maximumIOVectorCount = 1024

    /// Writes all of `bytes`, looping over partial writes.
    ///
    /// The corresponding C function is `write`.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            offset += try write(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// Writes all of `bytes`, looping over partial writes.
    ///
    /// The corresponding C function is `write`.
    public func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Writes all of `text` as UTF-8, looping over partial writes.
    ///
    /// The corresponding C function is `write`.
    public func writeAll(_ text: String) throws {
        var text = text
        try text.withUTF8 { try writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// Writes all `buffers` in order (gather write), at most `IOV_MAX` per call, looping over partial
    /// writes that end anywhere, even inside a buffer.
    ///
    /// The corresponding C function is `writev`.
    public func writeAll(_ buffers: [UnsafeRawBufferPointer]) throws {
        var vectors = buffers.filter { $0.count > 0 }.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
        }
        var first = 0
        while first < vectors.count {
            let count = min(vectors.count - first, Self.maximumIOVectorCount)
            var written = try vectors.withUnsafeBufferPointer { all in
                try SystemCall.value("writev") { writev(rawValue, all.baseAddress! + first, Int32(count)) }
            }
            // Skip the buffers written completely, then advance into the one written partly.
            while written > 0 && written >= vectors[first].iov_len {
                written -= vectors[first].iov_len
                first += 1
            }
            if written > 0 {
                vectors[first].iov_base += written
                vectors[first].iov_len -= written
            }
        }
    }
}
