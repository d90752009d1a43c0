import LinuxSystem
import Testing

extension ProcessWideStateTests {
    @Suite struct ChildProcessTests {
        /// Runs `/bin/sh -c script` with stdin from /dev/null, stdout and stderr into a pipe, plus
        /// `extra` mappings; returns what it printed and how it ended.
        func runShell(
            _ script: String,
            shell: String = "/bin/sh",
            extra: [(source: FileDescriptor, target: Int32)] = []
        ) throws -> (output: String, status: LinuxSystem.ExitStatus) {
            let null = try FileDescriptor.open("/dev/null", .readOnly)
            defer { null.close() }
            let pipe = try Pipe.create()
            let pid: ProcessID
            do {
                defer { pipe.write.close() }
                pid = try ChildProcess.spawn(
                    executable: shell, arguments: [shell, "-c", script], environment: ["PATH=/usr/bin:/bin"],
                    fileDescriptors: [(null, 0), (pipe.write, 1), (pipe.write, 2)] + extra)
            }
            let output = try pipe.read.readToEnd()
            pipe.read.close()
            let status = try #require(try ChildProcess.wait(pid, blocking: true))
            return (String(decoding: output, as: UTF8.self), status)
        }

        @Test func childSeesExactlyTheMappedDescriptors() throws {
            let (parentEnd, childEnd) = try SocketPair.stream()
            defer { parentEnd.close() }
            // Unmapped descriptors, close-on-exec or not, must not reach the child.
            let unmapped = try FileDescriptor.open("/dev/null", .readOnly)
            defer { unmapped.close() }
            let (output, status) = try runShell(
                "ls /proc/$$/fd; echo hello >&3", extra: [(childEnd, 3)])
            childEnd.close()
            #expect(status == .exited(0))
            // ls runs in a child of the shell, so the shell's own table holds no directory or pipe.
            #expect(output == "0\n1\n2\n3\n")
            #expect(String(decoding: try parentEnd.readToEnd(), as: UTF8.self) == "hello\n")
        }

        @Test func descriptorMappedToItsOwnNumberLosesCloseOnExec() throws {
            let pipe = try Pipe.create()
            defer { pipe.read.close() }
            // Same source and target number: a plain dup2 would be a no-op and leave FD_CLOEXEC set.
            let high = try pipe.write.duplicate(atLeast: 150)
            pipe.write.close()
            #expect(try high.isCloseOnExec())
            let (_, status) = try runShell(
                "echo through >&\(high.rawValue)", shell: "/bin/bash", extra: [(high, high.rawValue)])
            high.close()
            #expect(status == .exited(0))
            #expect(String(decoding: try pipe.read.readToEnd(), as: UTF8.self) == "through\n")
        }

        @Test func mappingsThatSwapNumbersAreApplied() throws {
            let first = try Pipe.create()
            let second = try Pipe.create()
            defer {
                first.read.close()
                second.read.close()
            }
            // Each source is the other's target number.
            let a = try first.write.duplicate(atLeast: 40)
            let b = try second.write.duplicate(atLeast: 41)
            first.write.close()
            second.write.close()
            // bash: dash only redirects descriptors 0-9.
            let (_, status) = try runShell(
                "echo to-b >&\(a.rawValue); echo to-a >&\(b.rawValue)", shell: "/bin/bash",
                extra: [(a, b.rawValue), (b, a.rawValue)])
            a.close()
            b.close()
            #expect(status == .exited(0))
            #expect(String(decoding: try second.read.readToEnd(), as: UTF8.self) == "to-b\n")
            #expect(String(decoding: try first.read.readToEnd(), as: UTF8.self) == "to-a\n")
        }

        @Test func childStartsWithNoBlockedOrIgnoredSignals() throws {
            try Signal.blockInProcess([Signal.user2, Signal.terminate])
            Signal.ignore(Signal.hangup)
            defer {
                Signal.restoreDefault(Signal.hangup)
                try? Signal.unblockInThread([Signal.user2, Signal.terminate])
            }
            // exec: the shell itself blocks every signal while it waits for a command (dash's
            // sigblockall), so look at the process that replaces it, with the mask it started with.
            let (output, status) = try runShell("exec grep -E '^Sig(Blk|Ign)' /proc/self/status")
            #expect(status == .exited(0))
            #expect(output == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
        }

        @Test func exitCodeAndSignalAreReported() throws {
            #expect(try runShell("exit 3").status == .exited(3))
            let killed = try runShell("ulimit -c 0; kill -SEGV $$").status
            #expect(killed == .signaled(Signal.segmentationFault, coreDumped: false))
            #expect(killed.description == "signal 11")
            #expect(LinuxSystem.ExitStatus.exited(3).description == "exit code 3")
        }

        @Test func nonBlockingWaitAndKill() throws {
            let pid = try ChildProcess.spawn(
                executable: "/bin/sleep", arguments: ["sleep", "60"], environment: [], fileDescriptors: [])
            #expect(try ChildProcess.wait(pid, blocking: false) == nil)
            try ChildProcess.kill(pid, signal: Signal.terminate)
            #expect(try ChildProcess.wait(pid, blocking: true) == .signaled(Signal.terminate, coreDumped: false))
            let error = #expect(throws: SystemCallError.self) { _ = try ChildProcess.wait(pid, blocking: true) }
            #expect(error?.errno == .noChild)
        }

        @Test func reapExitedCollectsFinishedChildren() throws {
            let pipe = try Pipe.create()
            defer { pipe.read.close() }
            let pids = try (0..<3).map { code in
                try ChildProcess.spawn(
                    executable: "/bin/sh", arguments: ["sh", "-c", "exit \(code)"], environment: [],
                    fileDescriptors: [(pipe.write, 1)])
            }
            pipe.write.close()
            // EOF on the pipe: every child has exited (each held the write end until then).
            _ = try pipe.read.readToEnd()
            var reaped: [ProcessID: LinuxSystem.ExitStatus] = [:]
            while !pids.allSatisfy({ reaped[$0] != nil }) {
                for (pid, status) in ChildProcess.reapExited() {
                    reaped[pid] = status
                }
            }
            #expect(pids.map { reaped[$0] } == [.exited(0), .exited(1), .exited(2)])
        }

        @Test func spawnOfMissingExecutableThrows() throws {
            let error = #expect(throws: SystemCallError.self) {
                _ = try ChildProcess.spawn(
                    executable: "/nonexistent/tool", arguments: ["tool"], environment: [], fileDescriptors: [])
            }
            #expect(error?.errno == .noEntry)
            #expect(error?.path == "/nonexistent/tool")
        }

        @Test func currentExecutableAndProcessID() throws {
            #expect(ChildProcess.currentExecutablePath.hasPrefix("/"))
            #expect(try FileSystem.status(ChildProcess.currentExecutablePath).kind == .regular)
            let status = String(decoding: try FileSystem.readFile("/proc/self/stat"), as: UTF8.self)
            #expect(status.hasPrefix("\(ChildProcess.currentProcessID) "))
        }
    }
}
