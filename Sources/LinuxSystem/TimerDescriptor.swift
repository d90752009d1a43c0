import CLinuxShim

/// A timerfd on `CLOCK_MONOTONIC`: becomes readable when it expires.
public final class TimerDescriptor: @unchecked Sendable {
    /// The non-blocking, close-on-exec descriptor to poll for readability. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor

    /// Creates a disarmed timer.
    ///
    /// The corresponding C function is `timerfd_create` (`CLOCK_MONOTONIC`, `TFD_NONBLOCK | TFD_CLOEXEC`).
    public init() throws {
        fileDescriptor = FileDescriptor(rawValue: try SystemCall.value("timerfd_create") { tsl_timerfd_create() })
    }

    /// Arms the timer to expire `after` from now (a zero or negative delay is rounded up to 1 ns, since
    /// zero would disarm) and then every `repeating`, if given.
    ///
    /// The corresponding C function is `timerfd_settime`.
    public func arm(after delay: Duration, repeating interval: Duration?) throws {
        let initial = max(Self.nanoseconds(delay), 1)
        let period = interval.map { max(Self.nanoseconds($0), 1) } ?? 0
        _ = try SystemCall.value("timerfd_settime") { tsl_timerfd_settime(fileDescriptor.rawValue, initial, period) }
    }

    /// Stops the timer.
    ///
    /// The corresponding C function is `timerfd_settime` with a zero time.
    public func disarm() throws {
        _ = try SystemCall.value("timerfd_settime") { tsl_timerfd_settime(fileDescriptor.rawValue, 0, 0) }
    }

    /// How many times the timer expired since the last read (resetting the count); 0 if none.
    ///
    /// The corresponding C function is `read`.
    public func readExpirations() throws -> UInt64 {
        var count: UInt64 = 0
        let read = try withUnsafeMutableBytes(of: &count) { try fileDescriptor.readIfAvailable(into: $0) }
        return read == 8 ? count : 0
    }

    /// Closes the descriptor.
    deinit {
        fileDescriptor.close()
    }

    /// `duration` in whole nanoseconds, saturating at `Int64.max`.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            return seconds < 0 ? 0 : Int64.max
        }
        return scaled + attoseconds / 1_000_000_000
    }
}
