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

/// Why a worker process could not be started (`posix_spawn: Resource temporarily unavailable`).
public typealias WorkerSpawnError = SystemFailure
