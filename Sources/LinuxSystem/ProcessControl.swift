import CLinuxShim

/// Process attributes set through `prctl`.
public enum ProcessControl {
    /// Asks the kernel to send `signal` to this process when its parent *thread* exits (not just the
    /// parent process): a safety net, not a substitute for noticing EOF on a socket to the parent.
    ///
    /// The corresponding C function is `prctl(PR_SET_PDEATHSIG)`.
    public static func setParentDeathSignal(_ signal: Int32) throws {
        _ = try SystemCall.value("prctl(PR_SET_PDEATHSIG)") { tsl_set_parent_death_signal(signal) }
    }

    /// Sets the calling thread's name as shown by `ps`/`top` (`comm`, the first 15 bytes); on the main
    /// thread, that is the process's name. Cannot fail for a valid string.
    ///
    /// The corresponding C function is `prctl(PR_SET_NAME)`.
    public static func setName(_ name: String) {
        _ = tsl_set_process_name(name)
    }
}
