import Testing

@testable import LinuxSystem

/// Process and machine attributes: prctl, rlimits, terminals, processor count.
@Suite struct ProcessAttributesTests {
    @Test func setNameRenamesTheCallingThread() throws {
        let comm = "/proc/thread-self/comm"
        let original = String(decoding: try FileSystem.readFile(comm).dropLast(), as: UTF8.self)
        defer { ProcessControl.setName(original) }
        ProcessControl.setName("tiffshard-worker-long-name")
        // The kernel keeps 15 bytes.
        #expect(String(decoding: try FileSystem.readFile(comm), as: UTF8.self) == "tiffshard-worke\n")
    }

    @Test func parentDeathSignalCanBeSetAndCleared() throws {
        try ProcessControl.setParentDeathSignal(0)
        let error = #expect(throws: SystemCallError.self) { try ProcessControl.setParentDeathSignal(1000) }
        #expect(error?.errno == .invalidArgument)
    }

    @Test func coreDumpLimitIsApplied() throws {
        try ResourceLimit.setCoreDumpSize(bytes: 0)
        let limits = String(decoding: try FileSystem.readFile("/proc/self/limits"), as: UTF8.self)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"])
    }

    @Test func addressSpaceLimitIsAppliedAndCannotBeRaised() throws {
        // Lowering RLIMIT_AS of the test process would starve it: apply the same code to a child.
        let child = try ChildProcess.spawn(
            executable: "/bin/sleep", arguments: ["sleep", "60"], environment: [], fileDescriptors: [])
        defer {
            try? ChildProcess.kill(child, signal: Signal.kill)
            _ = try? ChildProcess.wait(child, blocking: true)
        }
        let bytes: UInt64 = 3 << 30
        try ResourceLimit.set(ResourceLimit.addressSpaceResource, "setrlimit", bytes, process: child)
        let limits = String(decoding: try FileSystem.readFile("/proc/\(child)/limits"), as: UTF8.self)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max address space") })
        #expect(line.split(separator: " ").dropFirst(3).prefix(2) == ["\(bytes)", "\(bytes)"])
        let raise = #expect(throws: SystemCallError.self) {
            try ResourceLimit.set(ResourceLimit.addressSpaceResource, "setrlimit", bytes * 2, process: child)
        }
        #expect(raise?.errno == .invalidArgument)
    }

    @Test func pipesAreNoTerminals() throws {
        let pipe = try Pipe.create()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        #expect(!Terminal.isTerminal(pipe.read))
        #expect(Terminal.columns(pipe.write) == nil)
    }

    @Test func machineFacts() {
        #expect(SystemInfo.onlineProcessorCount >= 1)
        #expect(SystemInfo.pageSize == 4096 || SystemInfo.pageSize == 16384 || SystemInfo.pageSize == 65536)
    }

    @Test func standardStreamsAcceptText() {
        StandardError.write("")
        StandardOutput.write("")
    }
}
