import Testing

@testable import TiffShardCore

/// Drives an `Engine` with a fake monotonic clock and keeps every action it returned.
struct EngineDriver {
    var engine: Engine
    var now: Duration = .zero
    var history: [Engine.Action] = []

    init(_ settings: EngineSettings, firstSequence: Int = 0) {
        engine = Engine(settings: settings, firstSequence: firstSequence)
    }

    /// Feeds one event at the current fake time.
    @discardableResult
    mutating func send(_ event: Engine.Event) -> [Engine.Action] {
        let actions = engine.handle(event, now: now)
        history += actions
        return actions
    }

    /// Moves the clock forward and ticks.
    @discardableResult
    mutating func advance(_ by: Duration) -> [Engine.Action] {
        now += by
        return send(.tick)
    }

    /// Moves the clock to an absolute time and ticks.
    @discardableResult
    mutating func tick(at time: Duration) -> [Engine.Action] {
        now = time
        return send(.tick)
    }

    /// Reports every worker spawned in `actions` as started; returns what the engine did next.
    @discardableResult
    mutating func startSpawned(_ actions: [Engine.Action]) -> [Engine.Action] {
        var out: [Engine.Action] = []
        for id in actions.spawned { out += send(.workerStarted(id)) }
        return out
    }

    /// Answers the jobs of `batch` on `worker` in order, each with `outcome(job)`.
    @discardableResult
    mutating func answer(
        _ worker: WorkerID, _ batch: DecodeBatch,
        _ outcome: (DecodeJob) -> JobResult.Outcome = { .decoded(info(for: $0)) }
    ) -> [Engine.Action] {
        var out: [Engine.Action] = []
        for job in batch.jobs { out += send(.jobFinished(worker, JobResult(jobID: job.id, outcome: outcome(job)))) }
        return out
    }

    /// Answers every dispatch in `actions` (and those they trigger) with decoded results, starts spawned workers
    /// and acknowledges publications, until the engine asks for nothing more; returns all actions.
    @discardableResult
    mutating func runToQuiet(
        _ actions: [Engine.Action], publicationError: PublicationError? = nil,
        outcome: (DecodeJob) -> JobResult.Outcome = { .decoded(info(for: $0)) }
    ) -> [Engine.Action] {
        var queue = actions
        var all: [Engine.Action] = []
        var steps = 0
        while !queue.isEmpty {
            steps += 1
            precondition(steps < 100_000, "engine does not settle")
            let action = queue.removeFirst()
            all.append(action)
            switch action {
            case .spawnWorker(let id): queue += send(.workerStarted(id))
            case .dispatch(let id, let batch): queue += answer(id, batch, outcome)
            case .publish(let p): queue += send(.publicationFinished(sequence: p.sequence, error: publicationError))
            default: break
            }
        }
        return all
    }
}

/// Ten (or `count`) source files with distinct, sortable paths.
func makeFiles(_ count: Int, prefix: String = "img") -> [SourceFile] {
    (0..<count).map { i in
        let name = "\(prefix)-\(String(1000 + i).dropFirst()).tif"
        return SourceFile(
            relativePath: SourcePath(name), size: Int64(1000 + i),
            modificationTimeNanoseconds: Int64(i))
    }
}

/// A decoder report that identifies the job, so tests can check it landed on the right row.
func info(for job: DecodeJob) -> SourceInfo {
    SourceInfo(width: UInt32(100 + job.id), height: 50, bitsPerSample: 8, channels: 1, pages: 1)
}

/// Settings small enough to read in a test.
func testSettings(
    width: Int = 64, height: Int = 32, shardSize: Int = 1024, ringSize: Int = 3, workers: Int = 2, batchSize: Int = 16,
    idleFlush: Duration? = nil, maxShardAge: Duration? = nil, decodeTimeout: Duration? = .seconds(30)
) -> EngineSettings {
    EngineSettings(
        width: width, height: height, shardSize: shardSize, ringSize: ringSize, workerCount: workers,
        batchSize: batchSize, idleFlush: idleFlush, maxShardAge: maxShardAge, decodeTimeout: decodeTimeout)
}

extension Array where Element == Engine.Action {
    var spawned: [WorkerID] { compactMap { if case .spawnWorker(let id) = $0 { id } else { nil } } }
    var retired: [WorkerID] { compactMap { if case .retireWorker(let id) = $0 { id } else { nil } } }
    var killed: [WorkerID] { compactMap { if case .killWorker(let id, _) = $0 { id } else { nil } } }
    var dispatches: [(worker: WorkerID, batch: DecodeBatch)] {
        compactMap { if case .dispatch(let id, let batch) = $0 { (id, batch) } else { nil } }
    }
    var dispatchedPaths: [SourcePath] { dispatches.flatMap { $0.batch.jobs.map(\.path) } }
    var publications: [ShardPublication] { compactMap { if case .publish(let p) = $0 { p } else { nil } } }
    var rejections: [(file: SourceFile, reason: String, category: Rejection.Category)] {
        compactMap { if case .reject(let f, let r) = $0 { (f, r.reason, r.category) } else { nil } }
    }
    var published: [(sequence: Int, rows: Int)] {
        compactMap { if case .published(let s, let r) = $0 { (s, r) } else { nil } }
    }
    /// The batch of the first dispatch (records an issue, rather than crashing, if there is none).
    var firstBatch: DecodeBatch {
        guard let batch = dispatches.first?.batch else {
            Issue.record("expected a dispatch in \(self)")
            return DecodeBatch(width: 0, height: 0, interpolation: .linear, maxPixels: 0, jobs: [])
        }
        return batch
    }
    var rebuilds: [EngineSettings] { compactMap { if case .rebuildRing(let s) = $0 { s } else { nil } } }
    var finished: Bool { contains(.finished) }
}

extension ShardPublication {
    var paths: [SourcePath] { rows.map(\.source.path) }
}

extension SourceFile {
    /// Tests name a source by its relative path.
    var path: SourcePath { relativePath }
}

extension SourcePath {
    /// Whether the path's text contains `text` (test files are named after their behaviour).
    func contains(_ text: String) -> Bool { description.contains(text) }
    func hasPrefix(_ text: String) -> Bool { description.hasPrefix(text) }
    func hasSuffix(_ text: String) -> Bool { description.hasSuffix(text) }
}
