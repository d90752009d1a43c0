import CLinuxShim
import Glibc

/// Signal numbers and process-wide signal settings.
public enum Signal {
    /// `SIGHUP`: the daemon reloads its configuration.
    public static let hangup = SIGHUP
    /// `SIGINT`: Ctrl-C.
    public static let interrupt = SIGINT
    /// `SIGKILL`: cannot be caught, blocked or ignored.
    public static let kill = SIGKILL
    /// `SIGSEGV`: invalid memory access.
    public static let segmentationFault = SIGSEGV
    /// `SIGPIPE`: write to a pipe or socket with no reader.
    public static let pipe = SIGPIPE
    /// `SIGTERM`: polite request to stop.
    public static let terminate = SIGTERM
    /// `SIGCHLD`: a child stopped or ended.
    public static let child = SIGCHLD
    /// `SIGSTOP`: cannot be caught, blocked or ignored.
    public static let stop = SIGSTOP
    /// `SIGCONT`: continue if stopped.
    public static let continue_ = SIGCONT
    /// `SIGUSR1`.
    public static let user1 = SIGUSR1
    /// `SIGUSR2`.
    public static let user2 = SIGUSR2
    /// `SIGALRM`.
    public static let alarm = SIGALRM
    /// `SIGABRT`: `abort()`, failed `precondition`.
    public static let abort = SIGABRT
    /// `SIGBUS`: e.g. access past the end of a truncated mapped file.
    public static let busError = SIGBUS

    /// Blocks `signals` for the calling thread, and for every thread created by it afterwards: call it
    /// on the main thread before starting threads so that the signals are only read from a
    /// ``SignalDescriptor``.
    ///
    /// The corresponding C function is `sigprocmask` (`SIG_BLOCK`).
    public static func blockInProcess(_ signals: [Int32]) throws {
        _ = try SystemCall.value("sigprocmask(SIG_BLOCK)") { tsl_sigprocmask(1, signals, Int32(signals.count)) }
    }

    /// Unblocks `signals` for the calling thread.
    ///
    /// The corresponding C function is `sigprocmask` (`SIG_UNBLOCK`).
    public static func unblockInThread(_ signals: [Int32]) throws {
        _ = try SystemCall.value("sigprocmask(SIG_UNBLOCK)") { tsl_sigprocmask(0, signals, Int32(signals.count)) }
    }

    /// Ignores `signal` process-wide (`SIG_IGN`), e.g. `SIGPIPE` so that writing to a closed socket
    /// fails with `EPIPE` instead of killing the process.
    ///
    /// The corresponding C function is `signal`.
    public static func ignore(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }

    /// Restores the default disposition (`SIG_DFL`) of `signal` process-wide.
    ///
    /// The corresponding C function is `signal`.
    public static func restoreDefault(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_DFL)
    }

    /// Sends `signal` to the calling thread (not the whole process).
    ///
    /// The corresponding C function is `raise`.
    public static func raiseInThread(_ signal: Int32) throws {
        let code = Glibc.raise(signal)
        if code != 0 {
            throw SystemCall.lastError("raise")
        }
    }

    /// The conventional name of `signal`, e.g. `"SIGSEGV"`; `"SIGRTMIN+3"` for real-time signals and
    /// `"signal 99"` for numbers without a name.
    ///
    /// The corresponding C function is `sigabbrev_np`.
    public static func name(_ signal: Int32) -> String {
        if let abbreviation = tsl_signal_abbreviation(signal) {
            return "SIG" + String(cString: abbreviation)
        }
        let realTimeMinimum = tsl_signal_max() - 30
        if signal >= realTimeMinimum && signal <= tsl_signal_max() {
            return "SIGRTMIN+\(signal - realTimeMinimum)"
        }
        return "signal \(signal)"
    }
}
