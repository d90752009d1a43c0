/// The supervisor's state machine: batching, the shard ring, retries, backpressure and shutdown.
///
/// No syscalls and no clock: the reactor feeds `EngineEvent`s with the current monotonic time and
/// carries out the returned `EngineAction`s. Everything here is tested without a file descriptor.
public struct Engine: Sendable {
    /// What happened outside.
    public enum Event: Equatable, Sendable {
        /// New candidate files (already admitted by name and type), in the order they should get rows.
        case filesDiscovered([SourceFile])
        /// No more files will be discovered (one-shot `convert`): finish when everything is published.
        case inputExhausted
        case workerStarted(WorkerID)
        case workerSpawnFailed(WorkerID, WorkerSpawnError)
        case jobFinished(WorkerID, JobResult)
        /// The worker process is gone, and how it ended.
        case workerExited(WorkerID, WorkerExit)
        /// A shard was written (`error` nil) or could not be (it is retried with a backoff).
        case publicationFinished(sequence: Int, error: PublicationError?)
        case tick
        case shutdownRequested
        case reconfigure(EngineSettings)
        /// Earlier runs published the first pages of these sources (`pages: all`, start-up recovery): each
        /// continues at its first missing page when its turn comes, so no page is decoded twice; a source
        /// published whole only keeps its place in the row order (see `admitResumed`).
        case resume([SourceIdentity: PublishedPages])
    }

    /// What the reactor must do.
    public enum Action: Equatable, Sendable {
        case spawnWorker(WorkerID)
        /// Close the worker's socket; it exits on EOF.
        case retireWorker(WorkerID)
        case killWorker(WorkerID, reason: WorkerKillReason)
        case dispatch(WorkerID, DecodeBatch)
        case publish(ShardPublication)
        case reject(SourceFile, Rejection)
        /// Tear down the shared-memory ring and build one for these settings (no worker is alive).
        case rebuildRing(EngineSettings)
        /// A shard and its sources are durable and disposed of.
        case published(sequence: Int, rows: Int)
        /// The file changed while a worker read it (a `.changed` rejection): admit it again once it settles
        /// (or reject it, one-shot).
        case reexamine(SourceFile, Rejection)
        /// The pool cannot work at all; stop and exit with an error.
        case fatal(EngineFailure)
        /// Everything is done (after shutdown or exhausted input); exit.
        case finished
    }

    public internal(set) var settings: EngineSettings
    public var statistics = EngineStatistics()
    /// Sequence number of the next shard to publish.
    public internal(set) var nextSequence: Int

    // Work not yet on a worker.
    var pending: [SourceFile] = []
    var pendingHead = 0
    var retries: [Job] = []
    var known: Set<SourcePath> = []
    var jobs: [UInt64: Job] = [:]
    var nextJobID: UInt64 = 1

    // Files being expanded into one row per page (`pages: all`; see Engine+Pages.swift).
    /// Every file with pages not yet published (or failed), by expansion id.
    var expansions: [UInt64: Expansion] = [:]
    /// Expansions whose pages may still need rows, in the order their first pages got rows.
    var expanding: [UInt64] = []
    var nextExpansionID: UInt64 = 1
    /// Where sources that earlier runs partly published start.
    var resumePoints: [SourceIdentity: PublishedPages] = [:]

    // The ring.
    var slots: [Slot]
    var fillingSlot: Int?
    var sealedOrder: [Int] = []
    var publishing: Int?
    var lastArrival: Duration = .zero

    // Workers.
    var workers: [WorkerID: Worker] = [:]
    var nextWorkerID = 1
    /// Worker deaths in a row that no file can be blamed for (no job was running): they delay respawns.
    var unexplainedDeaths = 0
    var startupFailures = 0
    var spawnNotBefore: Duration = .zero

    var lifecycle: Lifecycle = .accepting(newRing: nil)

    public init(settings: EngineSettings, firstSequence: Int = 0) {
        self.settings = settings
        self.nextSequence = firstSequence
        self.slots = Array(repeating: Slot(), count: settings.ringSize)
    }

    /// Feeds one event and returns the actions to carry out, in order.
    public mutating func handle(_ event: Event, now: Duration) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .filesDiscovered(let files):
            discover(files, now: now)
        case .inputExhausted:
            if case .accepting = lifecycle { lifecycle = .inputExhausted }
        case .workerStarted(let id):
            if workers[id]?.state == .starting { workers[id]!.state = .idle(hasWorked: false) }
        case .workerSpawnFailed(let id, let error):
            workerGone(id, .spawnFailed(error), now: now, into: &actions)
        case .jobFinished(let id, let result):
            jobFinished(id, result, now: now, into: &actions)
        case .workerExited(let id, let exit):
            workerGone(id, exit, now: now, into: &actions)
        case .publicationFinished(let sequence, let error):
            publicationFinished(sequence, error: error, now: now, into: &actions)
        case .tick:
            checkTimeouts(now: now, into: &actions)
        case .shutdownRequested:
            if lifecycle != .shuttingDown && lifecycle != .finished {
                // A ring rebuild waiting for the ring to drain is dropped: nothing would use the new ring.
                lifecycle = .shuttingDown
                // Files not yet on a worker stay where they are; the next start finds them again.
                for file in pending[pendingHead...] { known.remove(file.relativePath) }
                pending.removeAll()
                pendingHead = 0
                stopExpanding()
            }
        case .reconfigure(let new):
            reconfigure(new, into: &actions)
        case .resume(let points):
            resumePoints.merge(points) { _, new in new }
        }
        pump(now: now, into: &actions)
        return actions
    }

    /// Files waiting for a worker (not counting those already in a shard); with `pages: all`, pages.
    public var queuedCount: Int { pending.count - pendingHead + retries.count + pagesWaiting }
    /// Jobs on workers right now.
    public var inFlightCount: Int { jobs.count - retries.count }
    /// Whether every ring slot is busy (backpressure is on).
    public var ringIsFull: Bool { fillingSlot == nil && !slots.contains { $0.phase == .free } }
    /// Live worker processes (starting, idle or busy).
    public var workerCount: Int { workers.count }
    /// Whether `finished` has been emitted.
    public var isFinished: Bool { lifecycle == .finished }

    /// Whether `path` is pending, on a worker or waiting for its shard to be published.
    public func isKnown(_ path: SourcePath) -> Bool { known.contains(path) }

    mutating func discover(_ files: [SourceFile], now: Duration) {
        guard lifecycle != .shuttingDown, lifecycle != .finished else { return }
        var added = false
        for file in files where !known.contains(file.relativePath) {
            known.insert(file.relativePath)
            pending.append(file)
            added = true
        }
        if added { lastArrival = now }
    }
}

/// Counters for STATUS lines and the end-of-run summary.
public struct EngineStatistics: Equatable, Sendable {
    /// Rows published (pages, with `pages: all`).
    public var imagesPublished = 0
    /// Sources whose every row is published (with `pages: first`, the same as `imagesPublished`).
    public var sourcesCompleted = 0
    public var shardsPublished = 0
    public var rejected = 0
    public var rejectedByCategory: [Rejection.Category: Int] = [:]
    public var workerCrashes = 0
    /// Out-of-memory results that were put back in the queue for a later attempt.
    public var memoryRetries = 0
    public var publicationFailures = 0
    /// The last publication error, cleared when a publication succeeds.
    public var lastPublicationError: PublicationError?
    public init() {}

    /// Counts a rejection (the engine's own, or one decided outside it: a symlink or a FIFO named `x.tif`).
    public mutating func countRejection(_ rejection: Rejection) {
        rejected += 1
        rejectedByCategory[rejection.category, default: 0] += 1
    }
}
