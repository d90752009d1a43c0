import Foundation
import Glibc

/// A running `tiffshard run` started as systemd would: its own environment, stderr to a log file.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    public let logPath: String
    private let logHandle: FileHandle

    /// Starts `tiffshard arguments...` in `directory` with `environment` added to ours.
    public init(arguments: [String], directory: String, environment: [String: String] = [:]) throws {
        logPath = directory + "/daemon.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: TiffshardBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env[key] = nil }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardError = logHandle
        process.standardOutput = logHandle
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal to the daemon.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for exit; returns the exit status, or nil on timeout (the process is then killed).
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// What the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// PIDs of the daemon's live child processes (its workers).
    public var childPIDs: [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        try? logHandle.close()
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass.
public func eventually(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
