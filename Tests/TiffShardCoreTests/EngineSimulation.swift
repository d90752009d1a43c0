import Testing

@testable import TiffShardCore

/// A randomized outside world for the engine: worker processes that start, decode, crash and hang; a disk that
/// fails; a scanner that finds files in chunks and twice. It checks the engine's promises after every action.
struct EngineSimulation {
    /// How a file behaves in a worker.
    enum Kind {
        case good, bad, crashes, hangs
        /// Always runs out of memory in the decoder: retried after a delay, then rejected as out-of-memory.
        case outOfMemory
        /// Takes so long that its worker is killed; its result may still make it out before the kill lands.
        case slow
    }

    /// The simulated worker process.
    struct SimWorker {
        var started = false
        var queue: [DecodeJob] = []
        var killed = false
    }

    struct SlotRow: Hashable {
        var slot: UInt32
        var row: UInt32
    }

    var d: EngineDriver
    var rng: SplitMix64
    let files: [SourceFile]
    let kinds: [SourcePath: Kind]
    let daemon: Bool
    let firstSequence: Int
    let switchesPages: Bool

    var discoveredCount = 0
    var exhaustedSent = false
    var shutdownSent = false
    var reconfigurations = 0
    var workers: [WorkerID: SimWorker] = [:]
    var publishing: ShardPublication?
    var geometry: (width: Int, height: Int)
    var ringSize: Int

    // What happened, to check at the end.
    var dispatchedOnce: Set<SourcePath> = []
    var publishedCount: [SourcePath: Int] = [:]
    var rejectedReasons: [SourcePath: [String]] = [:]
    var publishedOrder: [SourcePath] = []
    var publishedSequences: [Int] = []
    var occupant: [SlotRow: SourcePath] = [:]
    var resolved: Set<SourcePath> = []
    var inFlight: Set<SourcePath> = []
    var decoded: Set<SourcePath> = []
    /// Files that were being decoded when their worker was killed for taking too long.
    var currentAtKill: Set<SourcePath> = []
    var attemptsBySequence: [Int: Int] = [:]
    var problems: [String] = []

    /// `pages`: the engine's `pages` option (the simulated files have one page each; with `all`, reloads
    /// also switch it, so every file goes through the expansion machinery and its ring rebuilds).
    init(seed: UInt64, fileCount: Int, daemon: Bool, pages: OutputFormat.Pages = .first) {
        rng = SplitMix64(seed: seed)
        self.daemon = daemon
        firstSequence = Int(seed % 50)
        var settings = EngineSettings(
            width: 16, height: 8, shardSize: Int.random(in: 1...12, using: &rng),
            ringSize: Int.random(in: 1...4, using: &rng),
            workerCount: Int.random(in: 1...4, using: &rng), batchSize: Int.random(in: 1...8, using: &rng),
            idleFlush: daemon ? .seconds(2) : nil, maxShardAge: daemon ? .seconds(10) : nil, decodeTimeout: .seconds(30)
        )
        settings.output.pages = pages
        switchesPages = pages == .all
        d = EngineDriver(settings, firstSequence: firstSequence)
        geometry = (settings.width, settings.height)
        ringSize = settings.ringSize
        files = makeFiles(fileCount, prefix: "sim")
        var kinds: [SourcePath: Kind] = [:]
        for (i, file) in files.enumerated() {
            kinds[file.path] =
                i % 17 == 3 ? .crashes : i % 23 == 5 ? .bad : i % 31 == 13 ? .outOfMemory : i % 41 == 7 ? .hangs : i % 29 == 11 ? .slow : .good
        }
        self.kinds = kinds
    }

    mutating func problem(_ text: String) { if problems.count < 20 { problems.append(text) } }

    /// Feeds an event and checks every action it produced.
    mutating func send(_ event: Engine.Event) {
        for action in d.send(event) { observe(action) }
        if d.engine.workerCount != workers.count {
            problem("engine counts \(d.engine.workerCount) workers, world has \(workers.count) after \(event)")
        }
    }

    mutating func observe(_ action: Engine.Action) {
        switch action {
        case .spawnWorker(let id):
            if workers[id] != nil { problem("\(id) spawned twice") }
            workers[id] = SimWorker()
        case .retireWorker(let id):
            guard let w = workers.removeValue(forKey: id) else { return problem("retired unknown \(id)") }
            if !w.queue.isEmpty { problem("retired \(id) with \(w.queue.count) jobs on it") }
        case .killWorker(let id, _):
            if workers[id] == nil { problem("killed unknown \(id)") }
            workers[id]?.killed = true
            if let job = workers[id]?.queue.first { currentAtKill.insert(job.path) }
        case .dispatch(let id, let batch):
            guard let w = workers[id] else { return problem("dispatch to unknown \(id)") }
            if !w.started || !w.queue.isEmpty || w.killed { problem("dispatch to \(id) not idle: \(w)") }
            if batch.jobs.isEmpty || batch.jobs.count > d.engine.settings.batchSize {
                problem("batch size \(batch.jobs.count)")
            }
            if Int(batch.width) != geometry.width || Int(batch.height) != geometry.height { problem("batch geometry") }
            for job in batch.jobs {
                if Int(job.slot) >= ringSize { problem("slot \(job.slot) outside ring of \(ringSize)") }
                if inFlight.contains(job.path) { problem("\(job.path) dispatched while in flight") }
                if resolved.contains(job.path) || decoded.contains(job.path) {
                    problem("\(job.path) dispatched after it was decoded or resolved")
                }
                let key = SlotRow(slot: job.slot, row: job.row)
                if let previous = occupant[key], previous != job.path, !resolved.contains(previous) {
                    problem("row \(key) overwritten: \(previous) not yet published")
                }
                occupant[key] = job.path
                inFlight.insert(job.path)
                dispatchedOnce.insert(job.path)
            }
            workers[id]!.queue += batch.jobs
        case .publish(let p):
            if publishing != nil { problem("two publications at once") }
            let expected = firstSequence + publishedSequences.count
            if p.sequence != expected { problem("publish sequence \(p.sequence), expected \(expected)") }
            attemptsBySequence[p.sequence, default: 0] += 1
            if p.attempt != attemptsBySequence[p.sequence] { problem("attempt \(p.attempt)") }
            if p.rows.isEmpty { problem("empty publication") }
            if p.width != geometry.width || p.height != geometry.height { problem("publication geometry") }
            if p.rows.map(\.physicalRow) != p.rows.map(\.physicalRow).sorted() { problem("rows out of order") }
            for row in p.rows
            where occupant[SlotRow(slot: UInt32(p.slot), row: UInt32(row.physicalRow))] != row.source.path {
                problem("publication row \(row.physicalRow) of slot \(p.slot) is not \(row.source.path)")
            }
            for row in p.rows where !decoded.contains(row.source.path) || resolved.contains(row.source.path) {
                problem("publishing \(row.source.path) which is not decoded or already resolved")
            }
            publishing = p
        case .reject(let file, let rejection):
            if resolved.contains(file.path) { problem("\(file.path) rejected after being resolved") }
            rejectedReasons[file.path, default: []].append(rejection.reason)
            resolved.insert(file.path)
            inFlight.remove(file.path)
        case .rebuildRing(let settings):
            if !workers.isEmpty { problem("ring rebuilt with live workers") }
            if publishing != nil { problem("ring rebuilt while publishing") }
            if occupant.values.contains(where: { !resolved.contains($0) }) { problem("ring rebuilt with rows in it") }
            occupant.removeAll()
            geometry = (settings.width, settings.height)
            ringSize = settings.ringSize
        case .published(let sequence, let rows):
            guard let p = publishing, p.sequence == sequence, p.rows.count == rows else {
                return problem("published \(sequence) without matching publish")
            }
            for row in p.rows {
                publishedCount[row.source.path, default: 0] += 1
                publishedOrder.append(row.source.path)
                resolved.insert(row.source.path)
            }
            publishedSequences.append(sequence)
            publishing = nil
        case .reexamine(let file, _):
            problem("reexamine of \(file.path): the simulation never changes files")
        case .fatal(let reason):
            problem("fatal: \(reason)")
        case .finished:
            if !workers.isEmpty { problem("finished with live workers") }
            if publishing != nil { problem("finished while publishing") }
        }
    }
}
