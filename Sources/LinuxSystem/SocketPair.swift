import Glibc

/// Connected pairs of Unix-domain sockets.
public enum SocketPair {
    /// Two connected `AF_UNIX` stream sockets, both close-on-exec.
    ///
    /// The corresponding C function is `socketpair` (`SOCK_STREAM | SOCK_CLOEXEC`).
    public static func stream() throws -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        _ = try SystemCall.value("socketpair") { socketpair(AF_UNIX, type, 0, &fds) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }
}
