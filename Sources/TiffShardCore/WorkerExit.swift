/// How a worker process ended, as the engine sees it (LinuxSystem's `ExitStatus`, mirrored without Glibc).
public enum WorkerExit: Equatable, Sendable, CustomStringConvertible {
    /// It called `exit` (or returned from `main`) with this code.
    case exited(Int32)
    /// A signal killed it; `coreDumped` if the kernel wrote a core dump.
    case signaled(Int32, coreDumped: Bool = false)
    /// It never ran: `posix_spawn` (or setting up its descriptors) failed.
    case spawnFailed(WorkerSpawnError)

    /// `"exit code 3"`, `"signal 11"`, `"signal 11, core dumped"` or `"spawn failed: ..."`.
    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal, let coreDumped): "signal \(signal)" + (coreDumped ? ", core dumped" : "")
        case .spawnFailed(let error): "spawn failed: \(error)"
        }
    }

    /// The signal that killed the worker, if one did.
    public var signal: Int32? {
        if case .signaled(let signal, _) = self { signal } else { nil }
    }
}

/// Why a worker process could not be started: the failing call's error number (when known) and its text.
public struct WorkerSpawnError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `errno` of the failing call, if the failure came from one.
    public var errorNumber: Int32?
    /// The error as people read it (`posix_spawn: Resource temporarily unavailable`).
    public var detail: String

    public init(errorNumber: Int32? = nil, detail: String) {
        self.errorNumber = errorNumber
        self.detail = detail
    }

    public var description: String { detail }
}
