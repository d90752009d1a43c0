import LinuxSystem
import Testing

extension ProcessWideStateTests {
    @Suite struct EnvironmentTests {
        @Test func setGetUnsetAndList() {
            let name = "TIFFSHARD_TEST_VARIABLE"
            Environment.set(name, "a=b c")
            #expect(Environment.get(name) == "a=b c")
            #expect(Environment.all.contains("\(name)=a=b c"))
            #expect(!Environment.all(removing: [name]).contains { $0.hasPrefix("\(name)=") })
            Environment.unset(name)
            #expect(Environment.get(name) == nil)
            #expect(!Environment.all.contains { $0.hasPrefix("\(name)=") })
        }

        @Test func spawnedChildGetsExactlyTheGivenEnvironment() throws {
            let pipe = try Pipe.create()
            defer { pipe.read.close() }
            let pid: ProcessID
            do {
                defer { pipe.write.close() }
                pid = try ChildProcess.spawn(
                    executable: "/usr/bin/env", arguments: ["env"], environment: ["ONE=1", "TWO=two words"],
                    fileDescriptors: [(pipe.write, 1)])
            }
            #expect(String(decoding: try pipe.read.readToEnd(), as: UTF8.self) == "ONE=1\nTWO=two words\n")
            #expect(try ChildProcess.wait(pid, blocking: true) == .exited(0))
        }
    }
}
