import Glibc

/// A Unix-domain datagram socket bound to a path: what systemd listens on as `NOTIFY_SOCKET`, so
/// tests can stand in for systemd and receive the notifications.
public final class DatagramSocket: @unchecked Sendable {
    /// The close-on-exec socket descriptor. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor
    /// The path the socket is bound to.
    public let path: String

    /// Creates an `AF_UNIX` `SOCK_DGRAM` socket and binds it to `path` (which must not exist and must
    /// fit in `sun_path`, 107 bytes).
    ///
    /// The corresponding C functions are `socket` (`SOCK_CLOEXEC`) and `bind`.
    public init(boundTo path: String) throws {
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = FileDescriptor(
            rawValue: try SystemCall.value("socket(AF_UNIX, SOCK_DGRAM)") { socket(AF_UNIX, type, 0) })
        do {
            var address = try Self.address(path)
            _ = try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    try SystemCall.value("bind", path: path) {
                        bind(fd.rawValue, generic, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        } catch {
            fd.close()
            throw error
        }
        self.fileDescriptor = fd
        self.path = path
    }

    /// Receives one datagram of up to `maxBytes` (longer ones are truncated), waiting for it if the
    /// socket is blocking; `nil` if the socket is non-blocking and nothing is queued.
    ///
    /// The corresponding C function is `recv`.
    public func receive(maxBytes: Int = 65536) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let result = buffer.withUnsafeMutableBytes { bytes in
            SystemCall.valueOrErrno("recv") { recv(fileDescriptor.rawValue, bytes.baseAddress, bytes.count, 0) }
        }
        switch result {
        case .success(let count): return Array(buffer[..<count])
        case .failure(.again): return nil
        case .failure(let error): throw SystemCallError(call: "recv", path: path, errno: error)
        }
    }

    /// Sends `bytes` as one datagram to the socket bound at `destination`.
    ///
    /// The corresponding C function is `sendto`.
    public func send(_ bytes: [UInt8], to destination: String) throws {
        var address = try Self.address(destination)
        _ = try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                try bytes.withUnsafeBytes { raw in
                    try SystemCall.value("sendto", path: destination) {
                        sendto(
                            fileDescriptor.rawValue, raw.baseAddress, raw.count, 0, generic,
                            socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        }
    }

    /// Closes the socket and removes its path.
    deinit {
        fileDescriptor.close()
        _ = try? FileSystem.unlinkIfExists(path)
    }

    /// A `sockaddr_un` for `path`, or `ENAMETOOLONG` if it does not fit.
    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw SystemCallError(call: "bind", path: path, errno: .nameTooLong)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return address
    }
}
