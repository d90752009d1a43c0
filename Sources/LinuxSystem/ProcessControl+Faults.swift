// Fault-injection hooks: debug builds only (see TiffShardWorker's FaultInjection).
#if DEBUG
import Glibc

extension ProcessControl {
    /// Sends `signal` to the calling process (fault injection). The corresponding C function is `raise`.
    public static func raise(_ signal: Int32) {
        _ = Glibc.raise(signal)
    }

    /// Sleeps until a signal arrives. The corresponding C function is `pause`.
    public static func pause() {
        _ = Glibc.pause()
    }
}
#endif
