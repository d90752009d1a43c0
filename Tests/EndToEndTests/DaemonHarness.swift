import Foundation
import Glibc
import TestSupport

/// One daemon under test: temp directories, a notify socket, the process.
final class DaemonHarness {
    let root: TemporaryDirectory
    let notify: NotifySocketRecorder
    var daemon: DaemonProcess!
    let ingest: String
    let output: String
    let processed: String
    let failed: String

    init(_ label: String) throws {
        root = try TemporaryDirectory(label)
        notify = try NotifySocketRecorder(directory: root.path)
        ingest = try root.directory("ingest")
        output = root("shards")
        processed = root("processed")
        failed = root("failed")
    }

    /// Starts `tiffshard run` with small geometry; `extra` flags override the defaults here.
    func start(
        _ extra: [String] = [], geometryFlags: Bool = true, environment: [String: String] = [:], waitForReady: Bool = true
    ) throws {
        var arguments = [
            "run", "--ingest", ingest, "--output", output, "--processed-dir", processed, "--failed-dir", failed,
            "--workers", "2", "--shard-size", "64", "--idle-flush", "0.3", "--log-level", "info",
        ]
        if geometryFlags { arguments += ["--width", "32", "--height", "24"] }
        arguments += extra
        var env = environment
        env["NOTIFY_SOCKET"] = notify.path
        daemon = try DaemonProcess(arguments: arguments, directory: root.path, environment: env)
        if waitForReady {
            guard notify.wait(until: { $0.contains("READY=1") }) else {
                throw HarnessError(message: "no READY=1; log:\n\(daemon.log)")
            }
        }
    }

    /// Sends SIGTERM and returns the exit status (nil on timeout).
    func stop() -> Int32? {
        daemon.signal(SIGTERM)
        return daemon.waitForExit(timeout: 30)
    }

    /// Manifest sources, in order.
    func publishedSources() throws -> [String] { try Shards.manifestRows(output).map(\.source) }

    /// The name of the marker ``barrier(timeout:)`` drops (left out of what tests compare).
    static let barrierName = "zz-barrier.tif"

    /// Drops a marker file (renamed in) and waits until its row is published: every event the daemon
    /// received before it has been acted on, so a test can check that something did NOT happen without
    /// guessing a sleep. Returns the published sources without the marker.
    func barrier(timeout: Double = 30) throws -> [String] {
        try MiniTIFF.writeAndRename(ingest + "/" + Self.barrierName, seed: 99)
        guard eventually(timeout: timeout, { ((try? publishedSources()) ?? []).contains(Self.barrierName) }) else {
            throw HarnessError(message: "the barrier file was never published; log:\n\(daemon.log)")
        }
        return try publishedSources().filter { $0 != Self.barrierName }
    }

    /// STATUS= lines received so far, in order.
    var statuses: [String] { notify.values("STATUS") }

    /// Waits until `count` rows are published.
    func waitForRows(_ count: Int, timeout: Double = 30) -> Bool {
        eventually(timeout: timeout) { ((try? publishedSources().count) ?? 0) >= count }
    }

    struct HarnessError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
