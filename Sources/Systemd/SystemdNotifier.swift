import CSystemd
import LinuxSystem

/// Tells systemd about the service's state through `$NOTIFY_SOCKET` (`Type=notify` services).
///
/// Every method is a no-op when the process was not started by systemd with a notify socket.
public struct SystemdNotifier: Sendable {
    /// Whether `NOTIFY_SOCKET` was set when this notifier was created.
    public let isEnabled: Bool

    /// The variables systemd sets for the service process only: remove them from the environment of
    /// child processes, or their notifications would be taken for the service's (and a watchdog PID
    /// check would fail).
    public static let inheritedVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// Creates a notifier, enabled if `NOTIFY_SOCKET` is set.
    ///
    /// The corresponding C function is `getenv`.
    public init() {
        isEnabled = Environment.get("NOTIFY_SOCKET") != nil
    }

    /// Sends `state`: newline-separated `KEY=value` assignments (see `sd_notify(3)`). Failures are
    /// ignored: a service must not stop because its supervisor went away.
    ///
    /// The corresponding C function is `sd_notify`.
    public func send(_ state: String) {
        guard isEnabled else { return }
        _ = sd_notify(0, state)
    }

    /// Startup finished: `READY=1` with a status line.
    public func ready(status: String) {
        send("READY=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// Reloading configuration: `RELOADING=1` with the `CLOCK_MONOTONIC` time in microseconds, as
    /// `Type=notify-reload` requires. Send ``ready(status:)`` when done.
    ///
    /// The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    public func reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.nowMicroseconds())")
    }

    /// Shutdown started: `STOPPING=1` with a status line.
    public func stopping(status: String) {
        send("STOPPING=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// Updates the status line `systemctl status` shows: `STATUS=...`.
    public func status(_ text: String) {
        send("STATUS=\(Self.oneLine(text))")
    }

    /// Tells the watchdog the service is alive: `WATCHDOG=1`.
    public func watchdogPing() {
        send("WATCHDOG=1")
    }

    /// The watchdog timeout systemd expects pings within (ping at half of it), or `nil` if the
    /// watchdog is off or meant for another process (`WATCHDOG_PID` set to a different PID).
    ///
    /// The corresponding C function is `sd_watchdog_enabled`.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else {
            return nil
        }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// `text` with line breaks replaced by spaces: a newline would end the `STATUS=` assignment.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
