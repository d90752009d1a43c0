import LinuxSystem
import Logging
import TiffShardCore

/// `tiffshard convert SRC OUT`: the same pipeline, once, over a folder, in sorted order.
public final class Converter {
    /// What `convert` was asked to do.
    public struct Options: Sendable {
        public var source: String
        public var output: String
        public var settings: EngineSettings
        public var recursive: Bool
        public var workerMemoryLimitMiB: UInt64
        public var executable: String
        public var showProgress: Bool

        public init(source: String, output: String, settings: EngineSettings, recursive: Bool,
                    workerMemoryLimitMiB: UInt64 = 2048, executable: String, showProgress: Bool) {
            self.source = source
            self.output = output
            self.settings = settings
            self.recursive = recursive
            self.workerMemoryLimitMiB = workerMemoryLimitMiB
            self.executable = executable
            self.showProgress = showProgress
        }
    }

    let options: Options
    let logger: Logger
    private var total = 0
    private var started: Duration = .zero
    private var progress: ProgressBar?
    private var failure: String?

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs the conversion and returns the process exit code.
    public func run() -> Int32 {
        guard let status = try? FileSystem.status(options.source), status.kind == .directory else {
            StandardError.write("tiffshard convert: \(options.source) is not a directory\n")
            return ExitCodes.noInput
        }
        let naming = ShardNaming()
        let store = OutputStore(directory: options.output, naming: naming)
        let firstSequence: Int
        do {
            try store.checkWritable()
            firstSequence = try store.recover(logger: logger)
        } catch {
            StandardError.write("tiffshard convert: cannot write to \(options.output): \(error)\n")
            return ExitCodes.ioError
        }
        let admitter = Admitter(root: options.source, followSymlinks: true, recursive: options.recursive)
        let verdicts: [Admitter.Verdict]
        do { verdicts = try admitter.scan() } catch {
            StandardError.write("tiffshard convert: cannot read \(options.source): \(error)\n")
            return ExitCodes.noInput
        }
        let policy = PublicationPolicy(
            output: options.output, naming: naming, onSuccess: nil, processedDir: "", failedDir: nil,
            rejectionLog: options.output + "/rejected.jsonl")
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(
                settings: options.settings, firstSequence: firstSequence, policy: policy, executable: options.executable,
                workerMemoryLimitMiB: options.workerMemoryLimitMiB, logger: logger)
        } catch {
            StandardError.write("tiffshard convert: cannot start: \(error)\n")
            return ExitCodes.internalError
        }
        supervisor.hooks = self
        var candidates: [SourceFile] = []
        for verdict in verdicts {
            switch verdict {
            case .candidate(let file): candidates.append(file)
            case .rejected(let file, let reason):
                supervisor.engine.statistics.countRejection(reason)
                supervisor.perform(rejection: file, reason: reason)
            case .directory, .ignored: break
            }
        }
        // Sorted by full relative path (byte order), so `sub-a.tif` < `sub/x.tif` as `ls`/Python's sorted() say.
        candidates.sort { Array($0.relativePath.utf8).lexicographicallyPrecedes(Array($1.relativePath.utf8)) }
        total = candidates.count
        started = MonotonicClock.now()
        if options.showProgress { progress = ProgressBar(total: total) }
        supervisor.feed(.filesDiscovered(candidates))
        supervisor.feed(.inputExhausted)
        var code = supervisor.run()
        supervisorTick(supervisor, now: MonotonicClock.now())  // draw the final state once
        progress?.finish()
        if let failure {
            StandardError.write("tiffshard convert: \(failure)\n")
            code = ExitCodes.ioError
        }
        StandardError.write(summary(supervisor) + "\n")
        return code
    }

    func summary(_ supervisor: Supervisor) -> String {
        let stats = supervisor.engine.statistics
        // One reading of the clock: whole seconds and the fraction from two readings can be a second off.
        let seconds = max(Format.seconds(MonotonicClock.now() - started), 1e-9)
        let rate = Double(stats.imagesPublished) / seconds
        var text = "converted \(stats.imagesPublished) images into \(stats.shardsPublished) shards in "
            + "\(Format.fixed(seconds, 1)) s (\(Format.fixed(rate, 1)) img/s); rejected \(stats.rejected)"
        if !stats.rejectedByReason.isEmpty {
            text += " (" + stats.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        return text
    }
}

extension Converter: Supervisor.Hooks {
    func supervisorTick(_ supervisor: Supervisor, now: Duration) {
        let done = supervisor.engine.statistics.imagesPublished + supervisor.engine.statistics.rejected
        progress?.update(done: min(done, total), decoded: supervisor.decodedCount, now: now)
    }

    func supervisor(_ supervisor: Supervisor, received signal: Int32) {
        guard signal == Signal.interrupt || signal == Signal.terminate else { return }
        logger.notice("interrupted: finishing images in flight and publishing the partial shard")
        supervisor.exitCode = ExitCodes.interrupted
        supervisor.feed(.shutdownRequested)
    }

    func supervisor(_ supervisor: Supervisor, published publication: ShardPublication) {}

    func supervisor(_ supervisor: Supervisor, publicationFailed error: String) {
        // One-shot mode does not wait for the disk to recover: report and stop.
        failure = error
        supervisor.stopRequested = true
    }

    func supervisor(_ supervisor: Supervisor, sourcesChanged sources: [SourceFile]) {
        // One pass only: a source rewritten while we read it is reported, not waited for.
        for file in sources {
            supervisor.engine.statistics.countRejection("changed: modified while being read")
            supervisor.perform(rejection: file, reason: "changed: modified while being read")
        }
    }
    func supervisorInotifyReadable(_ supervisor: Supervisor) {}
}
