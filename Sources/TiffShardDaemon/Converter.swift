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
        /// `--partition I/N`: convert only that share of SRC, restartably, with a completion marker.
        public var partition: Partition?
        /// `--json`: one machine-readable summary object on standard output at the end.
        public var json: Bool = false

        public init(source: String, output: String, settings: EngineSettings, recursive: Bool,
                    workerMemoryLimitMiB: UInt64 = 2048, executable: String, showProgress: Bool,
                    partition: Partition? = nil, json: Bool = false) {
            self.source = source
            self.output = output
            self.settings = settings
            self.recursive = recursive
            self.workerMemoryLimitMiB = workerMemoryLimitMiB
            self.executable = executable
            self.showProgress = showProgress
            self.partition = partition
            self.json = json
        }
    }

    let options: Options
    let logger: Logger
    private var supervisor: Supervisor!
    private var intake = Intake(mode: .oneShot, now: .zero)
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
        let admitter = Admitter(root: FilePath(options.source), followSymlinks: true, recursive: options.recursive)
        var found: [Intake.Examination]
        do { found = try admitter.scan() } catch {
            StandardError.write("tiffshard convert: cannot read \(options.source): \(error)\n")
            return ExitCodes.noInput
        }
        var task: PartitionTask?
        if let partition = options.partition {
            task = PartitionTask(partition: partition, list: found, options: options, logger: logger)
            found = Array(task!.plan.select(found))
        }
        let naming = task?.naming ?? ShardNaming()
        let store = OutputStore(directory: options.output, naming: naming)
        let firstSequence: Int
        do {
            try store.checkWritable()
            if let task, let done = try task.completed() {
                StandardError.write(done + "\n")
                return ExitCodes.success
            }
            firstSequence = try store.recover(logger: logger)
            if task != nil { found = try task!.continuation(of: found, store: store, pages: options.settings.output.pages) }
        } catch let error as PartitionTask.Refusal {
            StandardError.write("tiffshard convert: \(error)\n")
            return ExitCodes.dataError
        } catch {
            StandardError.write("tiffshard convert: cannot write to \(options.output): \(error)\n")
            return ExitCodes.ioError
        }
        let policy = PublicationPolicy(
            root: admitter.root, output: options.output, naming: naming, onSuccess: nil, processedDir: "",
            failedDir: nil, rejectionLog: options.output + "/" + (naming.rejectionLogName ?? "rejected.jsonl"),
            ingest: task == nil ? nil : options.source)
        do {
            supervisor = try Supervisor(
                settings: options.settings, firstSequence: firstSequence, policy: policy, executable: options.executable,
                workerMemoryLimitMiB: options.workerMemoryLimitMiB, logger: logger)
        } catch {
            StandardError.write("tiffshard convert: cannot start: \(error)\n")
            return ExitCodes.internalError
        }
        // One pass in sorted path order (the scan sorts by full relative path, in bytes).
        total = found.filter(\.isCandidate).count - (task?.resumedWhole ?? 0)
        started = MonotonicClock.now()
        if options.showProgress { progress = ProgressBar(total: total) }
        if let task, !task.resume.isEmpty { supervisor.feed(.resume(task.resume)) }
        handle(.scanned(found, cause: .startup))
        supervisor.feed(.inputExhausted)
        var code = supervisor.run(driver: self)
        drawProgress(now: MonotonicClock.now())  // draw the final state once
        progress?.finish()
        if let failure {
            StandardError.write("tiffshard convert: \(failure)\n")
            code = ExitCodes.ioError
        }
        StandardError.write((task.map { "partition \($0.partition): " } ?? "") + summary(supervisor) + "\n")
        defer { if options.json { StandardOutput.write(jsonSummary(supervisor, exitCode: code) + "\n") } }
        if let task, code == ExitCodes.success {
            do {
                let seconds = Format.seconds(MonotonicClock.now() - started)
                StandardError.write(try task.finish(runImages: supervisor.statistics.imagesPublished, seconds: seconds) + "\n")
            } catch {
                StandardError.write("tiffshard convert: cannot write the completion marker: \(error)\n")
                code = ExitCodes.ioError
            }
        }
        return code
    }

    /// The `--json` summary: one object a script can read.
    func jsonSummary(_ supervisor: Supervisor, exitCode: Int32) -> String {
        let stats = supervisor.statistics
        let seconds = max(Format.seconds(MonotonicClock.now() - started), 1e-9)
        var w = JSONObjectWriter()
        w.add("source", options.source)
        w.add("output", options.output)
        if let partition = options.partition { w.add("partition", "\(partition.index)/\(partition.count)") } else {
            w.addNull("partition")
        }
        w.add("images", stats.imagesPublished)
        w.add("sources", stats.sourcesCompleted)
        w.add("shards", stats.shardsPublished)
        w.add("rejected", stats.rejected)
        var categories = JSONObjectWriter()
        for (category, count) in stats.rejectedByCategory.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            categories.add(category.rawValue, count)
        }
        w.add("rejected_by_category", json: categories.result)
        w.add("worker_crashes", stats.workerCrashes)
        w.add("publication_failures", stats.publicationFailures)
        w.add("seconds", (seconds * 1000).rounded() / 1000)
        w.add("images_per_second", (Double(stats.imagesPublished) / seconds * 10).rounded() / 10)
        w.add("exit_code", Int(exitCode))
        return w.result
    }

    func summary(_ supervisor: Supervisor) -> String {
        let stats = supervisor.statistics
        // One reading of the clock: whole seconds and the fraction from two readings can be a second off.
        let seconds = max(Format.seconds(MonotonicClock.now() - started), 1e-9)
        let rate = Double(stats.imagesPublished) / seconds
        var text = "converted \(stats.imagesPublished) images into \(stats.shardsPublished) shards in "
            + "\(Format.fixed(seconds, 1)) s (\(Format.fixed(rate, 1)) img/s); rejected \(stats.rejected)"
        if !stats.rejectedByCategory.isEmpty {
            let counts = stats.rejectedByCategory.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 }
            text += " (" + counts.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + ")"
        }
        return text
    }
}

extension Converter: Supervisor.Driver {
    func supervisor(_ supervisor: Supervisor, noticed notice: Supervisor.Notice) {
        switch notice {
        case .tick(let now):
            drawProgress(now: now)
        case .signal(let signal):
            guard signal == Signal.interrupt || signal == Signal.terminate else { return }
            logger.notice("interrupted: finishing images in flight and publishing the partial shard")
            supervisor.stop(exitCode: ExitCodes.interrupted, graceful: true)
        case .publicationFailed(let error):
            // One-shot mode does not wait for the disk to recover: report and stop.
            failure = error
            supervisor.stop(exitCode: ExitCodes.ioError, graceful: false)
        case .changed(let files):
            handle(.changed(files))  // one pass only: reported (category `changed`), not waited for
        case .quarantined(let file):
            handle(.quarantined(file))
        case .published(let publication):
            handle(.published(publication.completedSources))
        case .readable:
            break
        }
    }

    private func drawProgress(now: Duration) {
        // Files, as `total` counts them (with `pages: all` a file is done with its last page).
        let done = supervisor.statistics.sourcesCompleted + supervisor.statistics.rejected
        progress?.update(done: min(done, total), decoded: supervisor.decodedCount, now: now)
    }

    /// Feeds the one-shot intake and carries out its actions (it never asks to examine or rescan).
    private func handle(_ event: Intake.Event) {
        for action in intake.handle(event, now: MonotonicClock.now()) {
            switch action {
            case .admit(let files): supervisor.feed(.filesDiscovered(files))
            case .reject(let file, let rejection): supervisor.quarantine(file, rejection)
            case .examine, .dispose, .rescan: break
            }
        }
    }
}
