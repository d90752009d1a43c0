import Glibc

/// `CLOCK_REALTIME`: calendar time, which can jump; for timestamps shown to people.
public enum WallClock {
    /// Nanoseconds since the Unix epoch.
    ///
    /// The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    public static func nowNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
