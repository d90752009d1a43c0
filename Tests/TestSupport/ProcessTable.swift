import Foundation

/// Finds live processes through /proc, for tests that must prove no child outlived its parent.
///
/// Other engineers' daemons and test runs share this machine, so counting every `tiffshard worker`
/// would be flaky. A test instead starts its run with a unique environment variable, which workers
/// inherit, and looks for exactly that.
public enum ProcessTable {
    /// A fresh `TIFFSHARD_TEST_MARK=<uuid>` assignment to add to a run's environment.
    public static func newMark() -> (key: String, value: String) {
        ("TIFFSHARD_TEST_MARK", UUID().uuidString)
    }

    /// PIDs of live (not zombie) processes whose environment contains `key=value`, with their command lines.
    public static func processes(withEnvironment key: String, _ value: String) -> [(pid: Int32, commandLine: String)] {
        let needle = Array("\(key)=\(value)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry), pid != getpid(),
                let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { return nil }
            // A zombie's environment reads as empty, so it never matches: only live processes count.
            let variables = environ.split(separator: 0)
            guard variables.contains(where: { Array($0) == needle }) else { return nil }
            let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") ?? Data()
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return (pid, words.joined(separator: " "))
        }
    }

    /// The `tiffshard worker` processes among `processes(withEnvironment:)`.
    public static func workers(withEnvironment key: String, _ value: String) -> [Int32] {
        processes(withEnvironment: key, value).filter { $0.commandLine.contains(" worker") }.map(\.pid)
    }
}
