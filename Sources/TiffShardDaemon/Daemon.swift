import LinuxSystem
import Logging
import Systemd
import TiffShardCore

/// `tiffshard run`: watch the ingest directory, ingest continuously, publish shards, talk to systemd.
public final class Daemon {
    /// Re-reads the configuration (file + environment + the original flags) on SIGHUP.
    public typealias ConfigurationSource = () throws -> Configuration

    var configuration: Configuration
    let reloadConfiguration: ConfigurationSource
    let executable: String
    let logger: Logger
    let notifier = SystemdNotifier()
    let watchdogInterval = SystemdNotifier.watchdogInterval()

    var supervisor: Supervisor!
    var watcher: IngestWatcher!
    var admitter: Admitter
    /// Sources already in a published shard: the ledger for `keep`, and start-up recovery for the others.
    var published: Set<SourceIdentity> = []
    /// Files found by a scan that may still be being written (recent mtime): admitted once they settle.
    var settling: [String: SourceFile] = [:]
    /// Paths seen again while the engine still held them: looked at once their shard is published (the
    /// source may have been disposed of and a new file put in its place before the engine heard of it).
    var seenWhileKnown: Set<String> = []
    var lastWatchdog: Duration = .zero
    var lastStatus: Duration = .zero
    var lastRescan: Duration = .zero
    var rate = RateMeter()
    var statusNote: String?
    var stopping = false
    var rescans = 0
    /// The ingest directory as an absolute path, for STATUS and logs.
    var ingestDisplay: String

    /// How long a file found by scanning must stay unmodified before it is read (nanoseconds of mtime age).
    static let settleNanoseconds: Int64 = 1_000_000_000

    public init(configuration: Configuration, executable: String, logger: Logger, reload: @escaping ConfigurationSource) {
        self.configuration = configuration
        self.reloadConfiguration = reload
        self.executable = executable
        self.logger = logger
        admitter = Admitter(root: configuration.ingest, followSymlinks: configuration.followSymlinks, recursive: configuration.recursive)
        ingestDisplay = configuration.ingest
    }

    var policy: PublicationPolicy {
        PublicationPolicy(
            output: configuration.output, naming: ShardNaming(prefix: configuration.instance),
            onSuccess: configuration.onSuccess, processedDir: configuration.processedDir,
            failedDir: configuration.failedDir, rejectionLog: configuration.failedDir + "/failures.jsonl")
    }

    /// Runs until SIGTERM/SIGINT (exit 0) or a fatal error (non-zero); returns the exit code.
    public func run() -> Int32 {
        let c = configuration
        let firstSequence: Int
        do {
            for directory in [c.ingest, c.output, c.processedDir, c.failedDir] { try FileSystem.createDirectory(directory) }
            ingestDisplay = (try? FileSystem.realPath(c.ingest)) ?? c.ingest
            let store = OutputStore(directory: c.output, naming: ShardNaming(prefix: c.instance))
            try store.checkWritable()
            firstSequence = try store.recover(logger: logger)
            published = try store.publishedSources()
        } catch {
            logger.critical("cannot prepare directories: \(error)")
            notifier.status("failed: \(error)")
            return ExitCodes.ioError
        }
        do {
            supervisor = try Supervisor(
                settings: c.engineSettings, firstSequence: firstSequence, policy: policy, executable: executable,
                workerMemoryLimitMiB: c.workerMemoryLimit, logger: logger)
            supervisor.hooks = self
            // Watch first, then scan: a file that completes in between is seen by one or the other.
            watcher = try IngestWatcher(admitter: admitter, logger: logger)
            try supervisor.epoll.add(watcher.inotify.fileDescriptor, events: .readable, token: Supervisor.Token.inotify)
        } catch {
            logger.critical("cannot start: \(error)")
            notifier.status("failed: \(error)")
            return ExitCodes.ioError
        }
        supervisor.feed(.tick)  // spawns the workers
        logger.notice("watching \(ingestDisplay), publishing \(c.width)x\(c.height) shards of \(c.shardSize) into \(c.output)")
        do { try admitScan() } catch {
            logger.critical("cannot scan \(c.ingest): \(error)")
            return ExitCodes.ioError
        }
        // READY only after the start-up scan: a file written after READY is then seen only through its
        // close/rename event, never half-written by the scan (which admits files by mtime age).
        notifier.ready(status: statusLine())
        if !configuration.onSuccess.keepsSources { published.removeAll() }  // only needed for start-up recovery
        let code = supervisor.run()
        notifier.status("stopped: \(statusLine())")
        return code
    }

    /// Scans the ingest directory and admits what it finds (start-up, overflow, periodic rescan).
    func admitScan() throws {
        admit(try watcher.scanAll(), fromScan: true)
    }

    /// Hands candidates to the engine and rejections to the publisher; applies the ledger.
    func admit(_ verdicts: [Admitter.Verdict], fromScan: Bool) {
        guard !stopping else { return }
        var files: [SourceFile] = []
        var recovered: [SourceFile] = []
        let now = WallClock.nowNanoseconds()
        for verdict in verdicts {
            switch verdict {
            case .candidate(let file):
                if supervisor.engine.isKnown(file.path) {
                    seenWhileKnown.insert(file.path)
                    continue
                }
                if published.contains(file.identity) {
                    if !configuration.onSuccess.keepsSources { recovered.append(file) }
                    continue
                }
                if fromScan && now - file.modificationTimeNanoseconds < Self.settleNanoseconds {
                    settling[file.path] = file
                    continue
                }
                settling[file.path] = nil
                files.append(file)
            case .rejected(let file, let reason):
                supervisor.engine.statistics.countRejection(reason)
                supervisor.perform(rejection: file, reason: reason)
            case .directory, .ignored:
                break
            }
        }
        if !recovered.isEmpty {
            logger.notice("disposing of \(recovered.count) sources already published before a restart")
            supervisor.publisher.submit(.disposeRecovered(recovered, policy))
        }
        if !files.isEmpty { supervisor.feed(.filesDiscovered(files)) }
    }

    /// Admits settled files: unchanged since the scan and old enough.
    func admitSettled() {
        guard !settling.isEmpty else { return }
        let now = WallClock.nowNanoseconds()
        let settled = settling.values.filter { now - $0.modificationTimeNanoseconds >= Self.settleNanoseconds }
        guard !settled.isEmpty else { return }
        for file in settled { settling[file.path] = nil }
        // Look again (the file may have changed since the scan), in name order like a scan.
        admit(settled.map(\.relativePath).sorted().map { admitter.examine($0) }, fromScan: true)
    }
}

extension Disposition {
    /// Whether sources stay in the ingest directory after publication (so a ledger must remember them).
    var keepsSources: Bool { self == .keep }
}
