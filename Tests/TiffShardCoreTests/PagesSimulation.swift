import Testing

@testable import TiffShardCore

/// A seeded world for `pages: all`: multi-page files in an ingest directory, workers that answer in any order,
/// crash, or find a file rewritten under them; a disk that fails; and kills of the whole daemon at any moment,
/// after which it restarts as `tiffshard run` does: manifests read through ``ManifestLedger``, published files
/// disposed of, files cut off between shards resumed. Asserted: no page is published twice, a file's pages are
/// published in page order, a file is disposed of only once every page is durable, and once the world is
/// quiet every file has left the ingest directory (published whole, or rejected).
struct PagesWorld {
    /// How a file behaves in a worker.
    enum Kind: Equatable {
        case good
        /// Page k does not decode.
        case badPage(Int)
        /// Page k kills the worker, every time.
        case crashPage(Int)
        /// The file is rewritten while page k is read (once): the new content is good.
        case changesAt(Int)
    }

    struct Content {
        var identity: SourceIdentity
        var pages: Int
        var kind: Kind
        var file: SourceFile {
            SourceFile(relativePath: identity.relativePath, size: identity.size,
                       modificationTimeNanoseconds: identity.modificationTimeNanoseconds)
        }
    }

    struct SimWorker {
        var started = false
        var queue: [DecodeJob] = []
    }

    var rng: SplitMix64
    var d: EngineDriver
    let settings: EngineSettings
    /// The ingest directory.
    var directory: [SourcePath: Content] = [:]
    /// Every content ever written, by identity.
    var contents: [SourceIdentity: Content] = [:]
    /// Every row ever published, in publication order: (identity, page, page count).
    var manifests: [(identity: SourceIdentity, page: Int, pages: Int)] = []
    var shardsPublished = 0
    var workers: [WorkerID: SimWorker] = [:]
    var publishing: ShardPublication?
    var rejected: [SourceIdentity: [String]] = [:]
    var disposed: Set<SourceIdentity> = []
    var restarts = 0
    /// Sources resumed after a kill (cut off between shards), and sources rejected after pages were published.
    var resumed = 0
    var rejectedAfterPublishing = 0
    var nextMTime: Int64 = 1_000
    var problems: [String] = []
    var faults = true

    init(seed: UInt64, fileCount: Int) {
        rng = SplitMix64(seed: seed)
        var s = EngineSettings(
            width: 8, height: 4, shardSize: Int.random(in: 1...6, using: &rng), ringSize: Int.random(in: 1...3, using: &rng),
            workerCount: Int.random(in: 1...3, using: &rng), batchSize: Int.random(in: 1...4, using: &rng),
            idleFlush: .seconds(2), maxShardAge: nil, decodeTimeout: nil)
        s.output.pages = .all
        settings = s
        d = EngineDriver(s)
        for i in 0..<fileCount {
            let pages = [1, 1, 2, 3, 5, 8][Int(rng.next() % 6)]
            let roll = rng.next() % 10
            let kind: Kind =
                roll == 0 ? .badPage(Int(rng.next() % UInt64(pages)))
                : roll == 1 ? .crashPage(Int(rng.next() % UInt64(pages)))
                : roll == 2 ? .changesAt(Int(rng.next() % UInt64(pages))) : .good
            let path = SourcePath("p\(String(1000 + i).dropFirst()).tif")
            write(Content(identity: SourceIdentity(relativePath: path, size: Int64(pages), modificationTimeNanoseconds: Int64(i)),
                          pages: pages, kind: kind))
        }
        send(.filesDiscovered(directory.keys.sorted().map { directory[$0]!.file }))
    }

    mutating func problem(_ text: String) { if problems.count < 10 { problems.append(text) } }

    mutating func write(_ content: Content) {
        directory[content.identity.relativePath] = content
        contents[content.identity] = content
    }

    /// Feeds an event and carries out (or records) the actions.
    mutating func send(_ event: Engine.Event) {
        var queue = d.send(event)
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .spawnWorker(let id): workers[id] = SimWorker()
            case .retireWorker(let id): workers[id] = nil
            case .killWorker(let id, _): workers[id] = nil; queue += d.send(.workerExited(id, .signaled(9)))
            case .dispatch(let id, let batch): workers[id]?.queue += batch.jobs
            case .publish(let p):
                if publishing != nil { problem("two publications at once") }
                publishing = p
            case .reject(let file, let rejection):
                rejected[file.identity, default: []].append(rejection.reason)
                if manifests.contains(where: { $0.identity == file.identity }) { rejectedAfterPublishing += 1 }
                directory[file.relativePath] = nil  // moved to the failed directory
            case .reexamine(let file, _):
                // The intake looks again and admits what the name holds now.
                if let now = directory[file.relativePath] { queue += d.send(.filesDiscovered([now.file])) }
            case .published, .rebuildRing, .finished: break
            case .fatal(let failure): problem("fatal: \(failure)")
            }
        }
    }

    /// A worker decodes the first job of its batch.
    mutating func answer(_ id: WorkerID) {
        let job = workers[id]!.queue.removeFirst()
        guard let content = directory[job.path] else {
            return send(.jobFinished(id, JobResult(jobID: job.id, outcome: .rejected(Rejection(.unreadable, "gone")))))
        }
        if Int(job.page) >= content.pages { problem("\(job.path) page \(job.page) of \(content.pages) dispatched") }
        switch content.kind {
        case .crashPage(let k) where k == job.page:
            return crash(id)
        case .badPage(let k) where k == job.page:
            return send(.jobFinished(id, JobResult(jobID: job.id, outcome: .rejected(Rejection(.decodeFailed, "bad")))))
        case .changesAt(let k) where k == job.page:
            nextMTime += 1
            let new = Content(
                identity: SourceIdentity(relativePath: job.path, size: content.identity.size, modificationTimeNanoseconds: nextMTime),
                pages: content.pages, kind: .good)
            write(new)
            if rng.next() % 2 == 0 {
                return send(.jobFinished(id, JobResult(jobID: job.id, outcome: .rejected(Rejection(.changed, "modified while being read")))))
            }
            return send(.jobFinished(id, JobResult(jobID: job.id, outcome: .decoded(info(new)))))
        default:
            return send(.jobFinished(id, JobResult(jobID: job.id, outcome: .decoded(info(content)))))
        }
    }

    func info(_ content: Content) -> SourceInfo {
        SourceInfo(width: 8, height: 4, bitsPerSample: 8, channels: 1, pages: UInt32(content.pages),
                   observed: ObservedFile(size: content.identity.size, modificationTimeNanoseconds: content.identity.modificationTimeNanoseconds))
    }

    mutating func crash(_ id: WorkerID) {
        workers[id] = nil
        send(.workerExited(id, .signaled(11)))
    }

    /// The publisher finishes the shard: written (manifest lines), then the completed sources disposed of.
    mutating func finishPublication(killedBeforeDisposal: Bool = false) {
        let p = publishing!
        publishing = nil
        if faults && rng.next() % 5 == 0 {
            return send(.publicationFinished(sequence: p.sequence, error: PublicationError(errorNumber: 28, detail: "full")))
        }
        if p.sequence != shardsPublished { problem("shard \(p.sequence) published after \(shardsPublished) shards") }
        shardsPublished += 1
        for row in p.rows {
            manifests.append((row.source.identity, row.page, Int(row.info.pages)))
        }
        if killedBeforeDisposal { return }
        for source in p.completedSources { dispose(source.identity) }
        send(.publicationFinished(sequence: p.sequence, error: nil))
    }

    mutating func dispose(_ identity: SourceIdentity) {
        let pages = manifests.filter { $0.identity == identity }.map(\.page)
        let count = contents[identity]?.pages ?? -1
        if pages.sorted() != Array(0..<count) { problem("\(identity.relativePath) disposed of with pages \(pages) of \(count)") }
        if directory[identity.relativePath]?.identity == identity { directory[identity.relativePath] = nil }
        if disposed.contains(identity) { problem("\(identity.relativePath) disposed of twice") }
        disposed.insert(identity)
    }

    /// kill -9 and a restart: memory is lost; the directory and the manifests stay.
    mutating func killAndRestart() {
        restarts += 1
        if publishing != nil && rng.next() % 2 == 0 {
            finishPublication(killedBeforeDisposal: true)  // durable, not yet disposed of
        }
        publishing = nil
        workers.removeAll()
        d = EngineDriver(settings, firstSequence: shardsPublished)
        let present = Set(directory.values.map(\.identity))
        var ledger = ManifestLedger(present: present)
        for row in manifests { ledger.add(row.identity, page: row.page, of: row.pages) }
        for identity in ledger.complete(for: .all).sorted(by: { $0.relativePath < $1.relativePath }) { dispose(identity) }
        let resumable = ledger.resumable(for: .all)
        resumed += resumable.count
        send(.resume(resumable))
        send(.filesDiscovered(directory.keys.sorted().map { directory[$0]!.file }))
    }

    mutating func step() {
        var moves: [(Int, (inout PagesWorld) -> Void)] = []
        for id in workers.keys.sorted() {
            if !workers[id]!.started {
                moves.append((3, { $0.workers[id]!.started = true; $0.send(.workerStarted(id)) }))
            } else if !workers[id]!.queue.isEmpty {
                moves.append((20, { $0.answer(id) }))
                if faults { moves.append((1, { $0.crash(id) })) }
            }
        }
        if publishing != nil { moves.append((4, { $0.finishPublication() })) }
        if faults { moves.append((1, { if $0.rng.next() % 8 == 0 { $0.killAndRestart() } })) }
        moves.append((3, { $0.d.now += .milliseconds(Int64($0.rng.next() % 1500)); $0.send(.tick) }))
        var pick = Int(rng.next() % UInt64(moves.reduce(0) { $0 + $1.0 }))
        for (weight, move) in moves {
            if pick < weight { return move(&self) }
            pick -= weight
        }
    }

    /// Faults stop; everything left is read and published.
    mutating func quiesce() {
        faults = false
        killAndRestart()
        for _ in 0..<20_000 where !directory.isEmpty || publishing != nil || d.engine.inFlightCount > 0 {
            step()
        }
    }
}

@Test(arguments: Array(UInt64(1)...60))
func pagesSimulationPublishesEveryPageExactlyOnceAcrossKills(seed: UInt64) {
    var world = PagesWorld(seed: seed &* 104_729, fileCount: 30)
    for _ in 0..<3000 where world.problems.isEmpty { world.step() }
    world.quiesce()
    var seen: [SourceIdentity: [Int]] = [:]
    for row in world.manifests { seen[row.identity, default: []].append(row.page) }
    for (identity, pages) in seen.sorted(by: { $0.key.relativePath < $1.key.relativePath }) {
        if pages != Array(0..<pages.count) {
            world.problem("\(identity.relativePath)@\(identity.modificationTimeNanoseconds): pages \(pages) published")
        }
    }
    for (path, content) in world.directory.sorted(by: { $0.key < $1.key }) {
        world.problem("\(path) (\(content.kind), \(content.pages) pages) still in the ingest directory")
    }
    for (identity, content) in world.contents {
        // Whatever the file, the world may crash its worker twice on one page: rejected, naming that page.
        let reasons = (world.rejected[identity] ?? []).filter { !$0.contains("decoder crashed (signal 11)") }
        switch content.kind {
        case .good, .changesAt, .crashPage:
            if !reasons.isEmpty { world.problem("\(identity.relativePath) (\(content.kind)) rejected: \(reasons)") }
        case .badPage(let k):
            let expected = (k > 0 ? "page \(k) of \(content.pages): " : "") + "decode failed: bad"
            if !reasons.allSatisfy({ $0 == expected }) {
                world.problem("\(identity.relativePath): reasons \(reasons), expected \(expected)")
            }
        }
        if case .badPage = content.kind, world.disposed.contains(identity) { world.problem("bad \(identity.relativePath) disposed of") }
        if case .crashPage = content.kind, world.disposed.contains(identity) { world.problem("crashing \(identity.relativePath) disposed of") }
    }
    #expect(world.problems.isEmpty, "seed \(seed), \(world.restarts) restarts: \(world.problems)")
}

/// The simulation reaches the cases it exists for: files cut off between shards and resumed, and files rejected
/// after some of their pages were published.
@Test func pagesSimulationCutsFilesOffBetweenShardsAndRejectsPartlyPublishedFiles() {
    var resumed = 0, rejectedAfterPublishing = 0, restarts = 0
    for seed in UInt64(1)...10 {
        var world = PagesWorld(seed: seed &* 104_729, fileCount: 30)
        for _ in 0..<3000 where world.problems.isEmpty { world.step() }
        world.quiesce()
        resumed += world.resumed
        rejectedAfterPublishing += world.rejectedAfterPublishing
        restarts += world.restarts
    }
    #expect(restarts > 50)
    #expect(resumed > 20)
    #expect(rejectedAfterPublishing > 3)
}
