import LinuxSystem
import Logging
import TiffShardCore

/// The worker processes: spawning (`posix_spawn` of our own executable), batches out, results in, reaping.
final class WorkerPool {
    struct Member {
        var pid: ProcessID
        var socket: FileDescriptor
        /// The output format of the ring this worker maps (see `send`).
        var output: OutputFormat
        var decoder = FrameDecoder()
        var open = true
    }

    /// Environment variables a worker must never see (it must not talk to systemd in our name).
    static let scrubbedVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]

    private(set) var members: [WorkerID: Member] = [:]
    private var byPID: [ProcessID: WorkerID] = [:]
    /// Retired workers we still have to reap.
    private var retired: Set<ProcessID> = []
    /// Reused for every read from a worker socket (results are small; one read usually holds several).
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    let executable: String
    let memoryLimitMiB: UInt64
    let logger: Logger

    init(executable: String, memoryLimitMiB: UInt64, logger: Logger) {
        self.executable = executable
        self.memoryLimitMiB = memoryLimitMiB
        self.logger = logger
    }

    /// Starts `tiffshard worker` with the socket on fd 3 and the ring's memfds on fds 4...
    func spawn(_ id: WorkerID, ring: SharedRing) throws -> FileDescriptor {
        let (ours, theirs) = try SocketPair.stream()
        defer { theirs.close() }
        var fds: [(source: FileDescriptor, target: Int32)] = [(theirs, WorkerDescriptors.socket)]
        for (i, segment) in ring.segments.enumerated() {
            fds.append((segment.fileDescriptor, WorkerDescriptors.firstSlot + Int32(i)))
        }
        // Crashes must be quick to report: the Swift backtracer would symbolicate for seconds first.
        let environment = Environment.all.filter { entry in
            !Self.scrubbedVariables.contains { entry.hasPrefix($0 + "=") } && !entry.hasPrefix("SWIFT_BACKTRACE=")
        } + ["SWIFT_BACKTRACE=enable=no"]
        let arguments = [
            "tiffshard", "worker", "--slots", String(ring.segments.count), "--slot-bytes", String(ring.slotBytes),
            "--memory-limit-mib", String(memoryLimitMiB),
            // The worker checks that we are still its parent once its parent-death signal is armed.
            "--supervisor-pid", String(ChildProcess.currentProcessID.rawValue),
        ]
        let pid: ProcessID
        do {
            pid = try ChildProcess.spawn(executable: executable, arguments: arguments, environment: environment, fileDescriptors: fds)
        } catch {
            ours.close()
            throw error
        }
        members[id] = Member(pid: pid, socket: ours, output: ring.settings.output)
        byPID[pid] = id
        logger.debug("spawned worker", metadata: [LogKey.worker: "\(id.rawValue)", LogKey.pid: "\(pid.rawValue)"])
        return ours
    }

    /// Sends a batch. The socket is blocking; a worker only gets a batch when idle, so its buffer is empty.
    ///
    /// The batch goes out in the output format of the ring the worker maps, which sizes its rows: a worker
    /// serves one ring for its whole life, and a different format always means a new ring and new workers
    /// (`EngineSettings.needsNewRing`), so this is the engine's current format too.
    func send(_ batch: DecodeBatch, to id: WorkerID) throws {
        guard let member = members[id], member.open else { return }
        var batch = batch
        batch.output = member.output
        try member.socket.writeAll(WireMessage.decodeBatch(batch).encoded())
    }

    /// Reads what worker `id` sent; returns its complete results and whether the socket reached EOF.
    func receive(from id: WorkerID) -> (results: [JobResult], closed: Bool) {
        guard var member = members[id], member.open else { return ([], true) }
        var results: [JobResult] = []
        var closed = false
        do {
            let n = try readBuffer.withUnsafeMutableBytes { try member.socket.readIfAvailable(into: $0) }
            if let n {
                if n == 0 {
                    closed = true
                } else {
                    readBuffer.withUnsafeBytes { member.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            while let message = try member.decoder.next() {
                if case .jobResult(let r) = message { results.append(r) }
            }
        } catch {
            logger.error("bad data from worker, killing it", metadata: [LogKey.worker: "\(id.rawValue)", LogKey.error: "\(error)"])
            try? ChildProcess.kill(member.pid, signal: Signal.kill)
            closed = true
        }
        members[id] = member
        return (results, closed)
    }

    /// Stops reading from a worker whose socket hit EOF (its exit is reported by `reap`).
    func closeSocket(_ id: WorkerID) {
        guard var member = members[id], member.open else { return }
        member.socket.close()
        member.open = false
        members[id] = member
    }

    /// Closes the worker's socket so it exits on EOF; reaped later.
    func retire(_ id: WorkerID) {
        guard let member = members.removeValue(forKey: id) else { return }
        if member.open { member.socket.close() }
        byPID[member.pid] = nil
        retired.insert(member.pid)
    }

    func kill(_ id: WorkerID) {
        guard let member = members[id] else { return }
        try? ChildProcess.kill(member.pid, signal: Signal.kill)
    }

    /// Collects exited children: workers we still track come back with their status; retired ones vanish.
    func reap() -> [(WorkerID, ExitStatus)] {
        var gone: [(WorkerID, ExitStatus)] = []
        for (pid, status) in ChildProcess.reapExited() {
            if retired.remove(pid) != nil { continue }
            guard let id = byPID.removeValue(forKey: pid) else { continue }
            gone.append((id, status))
        }
        return gone
    }

    /// Forgets a worker after its exit was reported (closing its socket if still open).
    func remove(_ id: WorkerID) {
        guard let member = members.removeValue(forKey: id) else { return }
        if member.open { member.socket.close() }
    }

    /// Whether retired workers are still running.
    var hasUnreapedWorkers: Bool { !retired.isEmpty || !byPID.isEmpty }

    /// Kills everything still running (last resort at exit) and waits for it.
    func killAll() {
        for pid in Array(retired) + Array(byPID.keys) { try? ChildProcess.kill(pid, signal: Signal.kill) }
        for pid in Array(retired) + Array(byPID.keys) { _ = try? ChildProcess.wait(pid, blocking: true) }
        retired.removeAll()
        byPID.removeAll()
    }
}

extension WorkerExit {
    /// The engine's view of how a worker process ended.
    init(_ status: ExitStatus) {
        switch status {
        case .exited(let code): self = .exited(code)
        case .signaled(let signal, let coreDumped): self = .signaled(signal, coreDumped: coreDumped)
        }
    }
}

extension WorkerSpawnError {
    /// The engine's view of an error from `WorkerPool.spawn` (its errno when a system call failed).
    init(_ error: any Error) {
        self.init(errorNumber: (error as? SystemCallError)?.errno.rawValue, detail: "\(error)")
    }
}
