import LinuxSystem

/// Process-wide preparation of a supervisor (`run`, `convert`), before any thread starts.
public enum ProcessSetup {
    /// Blocks the signals the reactor reads through its signalfd and ignores SIGPIPE (a dead worker's
    /// socket gives EPIPE instead). Must run before any thread exists, so every thread inherits the mask.
    public static func prepareSupervisor() throws {
        try Signal.blockInProcess(Supervisor.handledSignals)
        Signal.ignore(Signal.pipe)
    }
}
