import Foundation

/// The outcome of a finished command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    /// Whether the process was terminated by a signal (then `status` is the signal number).
    public var signaled: Bool
}

/// Runs commands to completion, with a timeout so a hung process fails the test instead of blocking it.
public enum CommandRunner {
    public struct Timeout: Error, CustomStringConvertible {
        public var command: String
        public var description: String { "timed out: \(command)" }
    }

    /// Runs `executable arguments...` and waits (at most `timeout` seconds, then SIGKILL and throw).
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil, timeout: Double = 120
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = try TemporaryFileSink()
        let err = try TemporaryFileSink()
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Timeout(command: ([executable] + arguments).joined(separator: " "))
            }
            usleep(5_000)
        }
        return CommandResult(
            status: process.terminationStatus, standardOutput: out.contents(), standardError: err.contents(),
            signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs a Python snippet with `python3 -c` and returns stdout; throws with stderr if it fails.
    public static func python(_ code: String, _ arguments: [String] = [], timeout: Double = 120) throws -> String {
        let result = try run("/usr/bin/env", ["python3", "-c", code] + arguments, timeout: timeout)
        guard result.status == 0 else { throw PythonFailure(message: result.standardError) }
        return result.standardOutput
    }

    public struct PythonFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { "python failed: \(message)" }
    }
}

/// A file that collects a child's output (pipes could fill up and block the child).
final class TemporaryFileSink {
    let path: String
    let handle: FileHandle

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/tiffshard-out-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func contents() -> String {
        try? handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
