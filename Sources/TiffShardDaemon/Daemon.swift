import LinuxSystem
import Logging
import Systemd
import TiffShardCore

/// `tiffshard run`: watch the ingest directory, ingest continuously, publish shards, talk to systemd.
///
/// A thin shell: the inotify watch and `lstat`s feed the ``Intake`` (which decides what is read when),
/// the intake's admissions feed the ``Supervisor``'s engine, and the supervisor's notices (publications,
/// quarantines, changed sources) go back to the intake. The daemon itself keeps only what systemd and
/// the operator see: the watchdog, STATUS, and the reload and stop sequences.
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
    var intake: Intake!
    /// Intake events waiting to be handled (events caused by actions queue here instead of recursing).
    var intakeQueue: [Intake.Event] = []
    var intakeBusy = false
    var lastWatchdog: Duration = .zero
    var lastStatus: Duration = .zero
    var rate = RateMeter()
    var note: StatusNote?
    var stopping = false
    var rescans = 0
    /// The ingest directory as an absolute path, for STATUS and logs.
    var ingestDisplay: String

    /// How long a file found by scanning must hold still (size and mtime, no writes seen) before it is read.
    static let settleInterval: Duration = .seconds(1)
    static let inotifyToken = Supervisor.Token.firstDriverToken

    public init(configuration: Configuration, executable: String, logger: Logger, reload: @escaping ConfigurationSource) {
        self.configuration = configuration
        self.reloadConfiguration = reload
        self.executable = executable
        self.logger = logger
        ingestDisplay = configuration.ingest
    }

    var admitter: Admitter {
        Admitter(root: FilePath(configuration.ingest), followSymlinks: configuration.followSymlinks,
                 recursive: configuration.recursive)
    }

    var policy: PublicationPolicy {
        PublicationPolicy(
            root: FilePath(configuration.ingest), output: configuration.output,
            naming: ShardNaming(prefix: configuration.instance), onSuccess: configuration.onSuccess,
            processedDir: configuration.processedDir, failedDir: configuration.failedDir,
            rejectionLog: configuration.failedDir + "/failures.jsonl", ingest: configuration.ingest)
    }

    /// Runs until SIGTERM/SIGINT (exit 0) or a fatal error (non-zero); returns the exit code.
    public func run() -> Int32 {
        let c = configuration
        let firstSequence: Int
        let store = OutputStore(directory: c.output, naming: ShardNaming(prefix: c.instance))
        do {
            for directory in [c.ingest, c.output, c.processedDir, c.failedDir] { try FileSystem.createDirectory(directory) }
            ingestDisplay = (try? FileSystem.realPath(c.ingest)) ?? c.ingest
            try store.checkWritable()
            firstSequence = try store.recover(logger: logger)
        } catch {
            return failStart("cannot prepare directories: \(error)")
        }
        let found: [Intake.Examination]
        let published: ManifestLedger
        do {
            supervisor = try Supervisor(
                settings: c.engineSettings, firstSequence: firstSequence, policy: policy, executable: executable,
                workerMemoryLimitMiB: c.workerMemoryLimit, logger: logger)
            // Watch first, then scan: a file that completes in between is seen by one or the other.
            watcher = try IngestWatcher(admitter: admitter, logger: logger)
            try supervisor.register(watcher.inotify.fileDescriptor, token: Self.inotifyToken)
            supervisor.feed(.tick)  // spawns the workers
            found = try watcher.scanAll()
            // Only what published manifests hold of the files present matters (and stays in memory).
            let present = Set(found.compactMap { if case .candidate(let f) = $0 { f.identity } else { nil } })
            published = try store.ledger(among: present)
        } catch {
            return failStart("cannot start: \(error)")
        }
        let format = c.outputFormat.summary
        logger.notice("watching \(ingestDisplay), publishing \(c.width)x\(c.height) \(format) shards of \(c.shardSize) into \(c.output)")
        let mode = Intake.Mode.daemon(
            keepsSources: c.onSuccess == .keep, settleInterval: Self.settleInterval, rescanInterval: c.rescanInterval)
        // Published sources go to the intake (disposed of, or remembered when kept); sources cut off between
        // shards (`pages: all`) to the engine, which starts them at their first missing page.
        let pages = c.engineSettings.output.pages
        supervisor.resume(published.resumable(for: pages))
        intake = Intake(mode: mode, ledger: published.complete(for: pages), now: MonotonicClock.now())
        handle(.scanned(found, cause: .startup))
        // READY only after the start-up scan: a file written after READY is then seen through its events.
        notifier.ready(status: statusLine())
        let code = supervisor.run(driver: self)
        notifier.status("stopped: \(statusLine())")
        // The shutdown summary: what this run did, for the journal.
        let stats = supervisor.statistics
        var rejections = ""
        if !stats.rejectedByCategory.isEmpty {
            rejections = " (" + stats.rejectedByCategory.map { "\($0.key.rawValue): \($0.value)" }.sorted()
                .joined(separator: ", ") + ")"
        }
        let summary = "stopped (exit \(code)): \(stats.imagesPublished) images in \(stats.shardsPublished) shards this "
            + "run, \(stats.rejected) rejected\(rejections), \(stats.workerCrashes) worker exits, "
            + "\(stats.publicationFailures) failed publication attempts"
        logger.notice("\(summary)")
        return code
    }

    private func failStart(_ message: String) -> Int32 {
        logger.critical("\(message)")
        notifier.status("failed: \(message)")
        return ExitCodes.ioError
    }

    /// Feeds the intake and carries out its actions; events those actions cause are queued, not nested.
    func handle(_ event: Intake.Event) {
        intakeQueue.append(event)
        guard !intakeBusy else { return }
        intakeBusy = true
        defer { intakeBusy = false }
        while !intakeQueue.isEmpty {
            let next = intakeQueue.removeFirst()
            for action in intake.handle(next, now: MonotonicClock.now()) { perform(action) }
        }
    }

    private func perform(_ action: Intake.Action) {
        switch action {
        case .examine(let path):
            // Events the kernel queued before this look are read first: a writer that started since the
            // last read is then known before the look could mistake its partial file for a complete one.
            if !stopping, let batch = try? watcher.read() {
                intakeQueue += batch.events
                if let gone = batch.rootGone { fail(gone) }
            }
            intakeQueue.append(.examined(watcher.admitter.examine(path)))
        case .admit(let files):
            supervisor.feed(.filesDiscovered(files))
        case .reject(let file, let rejection):
            supervisor.quarantine(file, rejection)
        case .dispose(let files):
            logger.notice("disposing of \(files.count) sources already published before a restart")
            supervisor.disposeRecovered(files)
        case .rescan(let cause):
            if cause == .overflow {
                rescans += 1
                logger.warning("inotify event queue overflowed; rescanning \(configuration.ingest) (rescan \(rescans))")
            }
            do { intakeQueue.append(.scanned(try watcher.scanAll(), cause: cause)) } catch {
                fail("\(cause) rescan of \(configuration.ingest) failed: \(error)")
            }
        }
    }
}

/// Something the operator should read on the STATUS line until it no longer holds.
enum StatusNote: CustomStringConvertible {
    /// Shards cannot be written right now; retried with backoff.
    case cannotPublish(String)
    /// The last SIGHUP's configuration was refused.
    case reloadFailed(String)
    /// The daemon is stopping because of this.
    case fatal(String)

    var description: String {
        switch self {
        case .cannotPublish(let error): "cannot publish, retrying: \(error)"
        case .reloadFailed(let error): "reload failed: \(error); running with the previous configuration"
        case .fatal(let message): message
        }
    }
}
