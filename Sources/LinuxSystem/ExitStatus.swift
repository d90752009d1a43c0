import CLinuxShim

/// How a child process ended.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It called `exit` (or returned from `main`) with this code.
    case exited(Int32)
    /// A signal killed it; `coreDumped` if the kernel wrote a core dump.
    case signaled(Int32, coreDumped: Bool)

    /// Decodes a `waitpid` status word.
    ///
    /// The corresponding C macros are `WIFEXITED`, `WEXITSTATUS`, `WIFSIGNALED`, `WTERMSIG` and
    /// `WCOREDUMP`.
    public init?(waitStatus status: Int32) {
        if tsl_wifexited(status) != 0 {
            self = .exited(tsl_wexitstatus(status))
        } else if tsl_wifsignaled(status) != 0 {
            self = .signaled(tsl_wtermsig(status), coreDumped: tsl_wcoredump(status) != 0)
        } else {
            return nil
        }
    }

    /// `"exit code 3"`, `"signal 11"` or `"signal 11, core dumped"`.
    public var description: String {
        switch self {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let signal, let coreDumped): return "signal \(signal)" + (coreDumped ? ", core dumped" : "")
        }
    }

    /// Whether the process exited with code 0.
    public var isSuccess: Bool {
        self == .exited(0)
    }
}
