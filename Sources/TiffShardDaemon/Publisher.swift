import LinuxSystem
import Logging
import TiffShardCore

/// The flusher: one dedicated thread doing all blocking disk I/O in order (shards, disposition,
/// quarantine), reporting completions to the reactor through an eventfd.
final class Publisher: @unchecked Sendable {
    enum Job {
        case shard(ShardPublication, SharedRing, PublicationPolicy)
        case reject(SourceFile, Rejection, PublicationPolicy)
        /// Sources found at start-up that an earlier run had already published: dispose of them.
        case disposeRecovered([SourceFile], PublicationPolicy)
    }

    enum Completion {
        /// A shard is durable (error nil) or could not be written; `changed` are sources that were
        /// modified after they were read and so were neither disposed of nor consumed.
        case shard(sequence: Int, error: PublicationError?, changed: [SourceFile])
        /// A rejected source is recorded (and moved aside in daemon mode).
        case quarantined(SourceFile)
    }

    /// Guards `queue`, `completions`, `stopping` and `running`; signalled when a job is queued or on stop.
    private let condition: ThreadCondition
    private var queue: [Job] = []
    private var completions: [Completion] = []
    private var stopping = false
    private var thread: SystemThread?
    /// Signalled whenever a completion is queued; the reactor polls it.
    let wakeup: EventDescriptor
    let logger: Logger
    let writer: ShardWriter
    /// Daemon mode: the ingest directory's files that already have a rejection record (publisher thread only),
    /// loaded from the log named here on the first rejection.
    private var recorded: (log: String, rejections: RecordedRejections)?

    init(logger: Logger) throws {
        self.logger = logger
        self.condition = try ThreadCondition()
        self.wakeup = try EventDescriptor()
        self.writer = ShardWriter(logger: logger)
    }

    /// Starts the publisher thread (named `tiffshard-publi`, the 15 bytes the kernel keeps). Call once,
    /// after the reactor's signals are blocked: the thread inherits the signal mask.
    func start() throws {
        thread = try SystemThread(name: "tiffshard-publisher") { [self] in run() }
    }

    /// Queues a job; jobs run strictly in submission order.
    func submit(_ job: Job) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Takes the completions gathered so far.
    func takeCompletions() -> [Completion] {
        _ = try? wakeup.drain()
        condition.lock()
        defer { condition.unlock() }
        let done = completions
        completions.removeAll()
        return done
    }

    /// Whether jobs are queued or running.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !queue.isEmpty || running
    }
    private var running = false

    /// Finishes queued jobs, then ends the thread and waits for it.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        thread?.join()
        thread = nil
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            running = true
            condition.unlock()
            let completion = perform(job)
            condition.lock()
            running = false
            if let completion { completions.append(completion) }
            condition.unlock()
            try? wakeup.signal()
        }
    }

    private func perform(_ job: Job) -> Completion? {
        switch job {
        case .shard(let publication, let ring, let policy):
            do {
                try writer.write(publication, ring: ring, policy: policy)
            } catch {
                let errno = (error as? SystemCallError)?.errno.rawValue
                return .shard(sequence: publication.sequence, error: PublicationError(errorNumber: errno, detail: "\(error)"), changed: [])
            }
            // Only sources whose last row is in this shard: a file with pages still to come stays in place.
            let changed = Disposer(policy: policy, logger: logger).dispose(publication.completedSources)
            return .shard(sequence: publication.sequence, error: nil, changed: changed)
        case .reject(let file, let rejection, let policy):
            var rejections = recordedRejections(policy)
            Disposer(policy: policy, logger: logger).quarantine(file, rejection, recorded: &rejections)
            if let rejections { recorded = (policy.rejectionLog, rejections) }
            return .quarantined(file)
        case .disposeRecovered(let files, let policy):
            _ = Disposer(policy: policy, logger: logger).dispose(files)
            return nil
        }
    }
}

extension Publisher {
    /// The recorded rejections for `policy`'s log, read the first time it is used (at start-up, or after a
    /// reload moved the failed directory); nil when rejected files are not moved (`convert`).
    private func recordedRejections(_ policy: PublicationPolicy) -> RecordedRejections? {
        // The daemon, and a partitioned `convert` (its rerun rejects a file again without a second record).
        guard let ingest = policy.ingest else { return nil }
        if let recorded, recorded.log == policy.rejectionLog { return recorded.rejections }
        let loaded = Disposer.recordedRejections(log: policy.rejectionLog, ingest: ingest)
        if loaded.count > 0 {
            logger.notice("\(loaded.count) files in the ingest directory already have a rejection record")
        }
        return loaded
    }
}
