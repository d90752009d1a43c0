import LinuxSystem
import Systemd
import TestSupport
import Testing

// Serialized: the tests set and unset NOTIFY_SOCKET, which every test of this suite reads. (The
// process-wide suite of LinuxSystemTests cannot be extended from another test target.)
/// Stands in for systemd: a datagram socket bound in a temporary directory as `NOTIFY_SOCKET`.
@Suite(.serialized) struct SystemdNotifierTests {
    func withNotifySocket(_ body: (DatagramSocket) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socket = try DatagramSocket(boundTo: directory.file("notify"))
        Environment.set("NOTIFY_SOCKET", socket.path)
        defer { Environment.unset("NOTIFY_SOCKET") }
        try body(socket)
    }

    func receiveText(_ socket: DatagramSocket) throws -> String {
        String(decoding: try #require(try socket.receive()), as: UTF8.self)
    }

    @Test func sendsReadyStatusStoppingAndWatchdog() throws {
        try withNotifySocket { (socket: DatagramSocket) throws in
            let notifier = SystemdNotifier()
            #expect(notifier.isEnabled)
            notifier.ready(status: "watching /in\nwith 2 workers")
            #expect(try receiveText(socket) == "READY=1\nSTATUS=watching /in with 2 workers")
            notifier.status("3 shards")
            #expect(try receiveText(socket) == "STATUS=3 shards")
            notifier.watchdogPing()
            #expect(try receiveText(socket) == "WATCHDOG=1")
            notifier.stopping(status: "flushing")
            #expect(try receiveText(socket) == "STOPPING=1\nSTATUS=flushing")
        }
    }

    @Test func reloadingCarriesMonotonicMicroseconds() throws {
        try withNotifySocket { (socket: DatagramSocket) throws in
            let before = MonotonicClock.nowMicroseconds()
            SystemdNotifier().reloading()
            let after = MonotonicClock.nowMicroseconds()
            let lines = try receiveText(socket).split(separator: "\n")
            #expect(lines.first == "RELOADING=1")
            let stamp = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
            #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
            #expect(before <= stamp && stamp <= after)
        }
    }

    @Test func disabledWithoutNotifySocket() {
        Environment.unset("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        #expect(!notifier.isEnabled)
        notifier.ready(status: "nobody listens")
    }

    @Test func watchdogIntervalOnlyForThisProcess() {
        defer {
            Environment.unset("WATCHDOG_USEC")
            Environment.unset("WATCHDOG_PID")
        }
        Environment.unset("WATCHDOG_USEC")
        #expect(SystemdNotifier.watchdogInterval() == nil)
        Environment.set("WATCHDOG_USEC", "2000000")
        #expect(SystemdNotifier.watchdogInterval() == .seconds(2))
        Environment.set("WATCHDOG_PID", "\(ChildProcess.currentProcessID)")
        #expect(SystemdNotifier.watchdogInterval() == .seconds(2))
        Environment.set("WATCHDOG_PID", "1")
        #expect(SystemdNotifier.watchdogInterval() == nil)
        #expect(SystemdNotifier.inheritedVariables == ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"])
    }
}
