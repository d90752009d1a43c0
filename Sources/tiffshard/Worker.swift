import ArgumentParser
import LinuxSystem
import TiffShardWorker

/// `tiffshard worker`: hidden; started by the supervisor with a socket on fd 3 and the ring on fds 4...
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode worker (started by tiffshard itself).", shouldDisplay: false)

    @Option var slots: Int
    @Option(name: .customLong("slot-bytes")) var slotBytes: Int
    @Option(name: .customLong("memory-limit-mib")) var memoryLimitMiB: UInt64 = 2048
    @Option(name: .customLong("supervisor-pid")) var supervisorPID: Int32?

    func run() throws {
        let loop: WorkerLoop
        do {
            loop = try WorkerLoop(
                slots: slots, slotBytes: slotBytes, memoryLimitBytes: memoryLimitMiB << 20,
                supervisor: supervisorPID.map { ProcessID(rawValue: $0) })
        } catch {
            StandardError.write("tiffshard worker: cannot start: \(error)\n")
            throw ExitCode(70)
        }
        let code = loop.run()
        if code != 0 { throw ExitCode(code) }
    }
}
