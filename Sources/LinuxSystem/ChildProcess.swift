import Glibc

/// Starting, waiting for and signalling child processes.
public enum ChildProcess {
    /// Waits for child `pid` to end and returns how it ended; with `blocking: false`, returns `nil`
    /// at once if it is still running.
    ///
    /// The corresponding C function is `waitpid`.
    public static func wait(_ pid: ProcessID, blocking: Bool) throws -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let result = try SystemCall.value("waitpid", path: "pid \(pid)") {
                waitpid(pid.rawValue, &status, blocking ? 0 : WNOHANG)
            }
            if result == 0 {
                return nil
            }
            // Stopped/continued children are reported only with WUNTRACED/WCONTINUED, which we do
            // not pass; decode defensively anyway.
            if let exit = ExitStatus(waitStatus: status) {
                return exit
            }
        }
    }

    /// Reaps every child that has ended so far, without blocking.
    ///
    /// The corresponding C function is `waitpid(-1, WNOHANG)`.
    public static func reapExited() -> [(ProcessID, ExitStatus)] {
        var reaped = [(ProcessID, ExitStatus)]()
        while true {
            var status: Int32 = 0
            // Failure here can only be ECHILD (no children left): stop either way.
            guard case .success(let pid) = SystemCall.valueOrErrno("waitpid", { waitpid(-1, &status, WNOHANG) }),
                pid > 0
            else {
                return reaped
            }
            if let exit = ExitStatus(waitStatus: status) {
                reaped.append((ProcessID(rawValue: pid), exit))
            }
        }
    }

    /// Sends `signal` to process `pid`.
    ///
    /// The corresponding C function is `kill`.
    public static func kill(_ pid: ProcessID, signal: Int32) throws {
        _ = try SystemCall.value("kill", path: "pid \(pid) \(Signal.name(signal))") { Glibc.kill(pid.rawValue, signal) }
    }

    /// The absolute path of the running executable (what `/proc/self/exe` links to).
    ///
    /// The corresponding C function is `readlink`.
    public static var currentExecutablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else {
            return "/proc/self/exe"
        }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This process's ID.
    ///
    /// The corresponding C function is `getpid`.
    public static var currentProcessID: ProcessID {
        ProcessID(rawValue: getpid())
    }

    /// The parent process's ID.
    ///
    /// The corresponding C function is `getppid`.
    public static var parentProcessID: ProcessID {
        ProcessID(rawValue: getppid())
    }
}
