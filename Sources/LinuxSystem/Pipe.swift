import CLinuxShim

/// Anonymous pipes.
public enum Pipe {
    /// A new pipe, both ends close-on-exec and, if `nonBlocking`, `O_NONBLOCK`.
    ///
    /// The corresponding C function is `pipe2` (`O_CLOEXEC`).
    public static func create(nonBlocking: Bool = false) throws -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        _ = try SystemCall.value("pipe2") { tsl_pipe(&fds, nonBlocking ? 1 : 0) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }
}
