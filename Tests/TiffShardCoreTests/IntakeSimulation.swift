import Testing

@testable import TiffShardCore

/// A seeded world around the intake: writers that create, pause, rewrite, rename over and delete files;
/// inotify events that an overflow can drop; an engine that reads, publishes (with `move` or `keep`
/// disposition) and notices changes; crashes that lose everything in memory. Asserted: no file is read
/// while its writer is at work, no content is published twice, and once the world is quiet every
/// complete file in the ingest directory has been published exactly once.
struct IntakeWorld {
    struct Content: Equatable {
        var identity: SourceIdentity
        var writing: Bool
    }

    var rng: SplitMix64
    let keep: Bool
    var now: Duration = .zero
    var intake: Intake
    /// The ingest directory.
    var files: [SourcePath: Content] = [:]
    /// inotify's queue, not yet read.
    var events: [Intake.Event] = []
    /// Admitted, not yet read by a worker.
    var engineQueue: [SourceFile] = []
    /// Read, waiting for their shard.
    var decoded: [SourceFile] = []
    /// The manifests on disk: every identity ever published.
    var manifests: [SourceIdentity] = []
    var publishedCount: [SourceIdentity: Int] = [:]
    var problems: [String] = []
    var nextMTime: Int64 = 1
    var writers: [SourcePath: Int] = [:]  // steps left to write

    static let settle: Duration = .seconds(1)
    static let names: [SourcePath] = (0..<12).map { SourcePath("f\($0).tif") }

    init(seed: UInt64, keep: Bool) {
        rng = SplitMix64(seed: seed)
        self.keep = keep
        intake = Intake(mode: .daemon(keepsSources: keep, settleInterval: Self.settle, rescanInterval: .seconds(7)), now: .zero)
        feed(.scanned([], cause: .startup))
    }

    mutating func problem(_ text: String) { if problems.count < 10 { problems.append("t=\(now): \(text)") } }

    mutating func newContent(_ path: SourcePath, writing: Bool) -> Content {
        nextMTime += 1
        return Content(
            identity: SourceIdentity(relativePath: path, size: Int64(rng.next() % 1000), modificationTimeNanoseconds: nextMTime),
            writing: writing)
    }

    func look(_ path: SourcePath) -> Intake.Examination {
        guard let content = files[path] else { return .absent(path) }
        let id = content.identity
        return .candidate(SourceFile(relativePath: path, size: id.size, modificationTimeNanoseconds: id.modificationTimeNanoseconds))
    }

    /// Feeds an event and carries out the actions, as the daemon's shell does.
    mutating func feed(_ first: Intake.Event) {
        var queue = [first]
        while !queue.isEmpty {
            for action in intake.handle(queue.removeFirst(), now: now) {
                switch action {
                case .examine(let path):
                    // As the daemon does: events already queued by the kernel are read before the look.
                    queue += Intake.superseded(events)
                    events.removeAll()
                    queue.append(.examined(look(path)))
                case .rescan(let cause):
                    queue.append(.scanned(files.keys.sorted().map { look($0) }, cause: cause))
                case .admit(let admitted):
                    for file in admitted {
                        if files[file.relativePath]?.writing == true {
                            problem("\(file.relativePath) admitted while its writer is at work")
                        }
                        engineQueue.append(file)
                    }
                case .reject(let file, _): queue.append(.quarantined(file))
                case .dispose(let recovered):
                    for file in recovered where files[file.relativePath]?.identity == file.identity {
                        files[file.relativePath] = nil
                    }
                }
            }
        }
    }

    mutating func emit(_ event: Intake.Event) { events.append(event) }

    mutating func step() {
        // The reactor reads inotify as soon as it is readable: only an overflow loses events.
        deliverEvents()
        // Writers write every step (a pause is shorter than a settle interval) or close.
        for (path, left) in writers.sorted(by: { $0.key < $1.key }) {
            if left <= 1 {
                files[path]!.writing = false
                writers[path] = nil
                emit(.observed(path, .complete))
            } else {
                files[path] = newContent(path, writing: true)
                writers[path] = left - 1
                emit(.observed(path, .modified))
            }
        }
        let roll = rng.next() % 100
        switch roll {
        case 0..<15:  // a writer starts on a free name (new file or rewrite in place)
            let path = Self.names[Int(rng.next() % UInt64(Self.names.count))]
            guard writers[path] == nil else { return }
            files[path] = newContent(path, writing: true)
            writers[path] = Int(rng.next() % 6) + 1
            emit(.observed(path, .modified))
        case 15..<22:  // a complete file is renamed in (possibly over an existing one)
            let path = Self.names[Int(rng.next() % UInt64(Self.names.count))]
            guard writers[path] == nil else { return }
            files[path] = newContent(path, writing: false)
            emit(.observed(path, .complete))
        case 22..<25:  // a file is deleted
            guard let path = files.keys.sorted().randomElement(using: &rng), writers[path] == nil else { return }
            files[path] = nil
        case 25..<27:  // the kernel's queue overflows: events lost
            events = [.overflow]
        case 27..<28:  // crash and restart: memory lost, the directory and the manifests stay
            restart()
        case 28..<70:  // time passes
            break
        case 70..<85:  // a worker reads the oldest admitted file
            guard !engineQueue.isEmpty else { return }
            let file = engineQueue.removeFirst()
            if let content = files[file.relativePath], content.identity == file.identity, !content.writing {
                decoded.append(file)
            } else if files[file.relativePath] != nil {
                feed(.changed([file]))  // rewritten under the worker: the row stays empty
            } else {
                feed(.quarantined(file))  // gone: rejected as unreadable
            }
        default:  // a shard is published: manifests first, then disposition, then the engine hears
            guard !decoded.isEmpty else { return }
            let shard = decoded
            decoded.removeAll()
            manifests += shard.map(\.identity)
            for file in shard { publishedCount[file.identity, default: 0] += 1 }
            if rng.next() % 10 == 0 { return restart() }  // killed between publication and disposition
            var changed: [SourceFile] = []
            for file in shard where !keep {
                if files[file.relativePath]?.identity == file.identity {
                    files[file.relativePath] = nil
                } else if files[file.relativePath] != nil {
                    changed.append(file)
                }
            }
            if !changed.isEmpty { feed(.changed(changed)) }
            feed(.published(shard))
        }
        now += .milliseconds(Int64(rng.next() % 300))
        feed(.tick)
    }

    mutating func deliverEvents() {
        let pending = Intake.superseded(events)
        events.removeAll()
        for event in pending { feed(event) }
    }

    mutating func restart() {
        events.removeAll()
        engineQueue.removeAll()
        decoded.removeAll()
        let present = Set(files.keys.sorted().compactMap { look($0).identity })
        intake = Intake(
            mode: intake.mode, ledger: manifests.filter { present.contains($0) }, now: now)
        feed(.scanned(files.keys.sorted().map { look($0) }, cause: .startup))
    }

    /// Writers finish, events are read, workers and the publisher drain; time passes.
    mutating func quiesce() {
        for path in writers.keys.sorted() {
            files[path]!.writing = false
            emit(.observed(path, .complete))
        }
        writers.removeAll()
        for _ in 0..<200 {
            deliverEvents()
            while !engineQueue.isEmpty {
                let file = engineQueue.removeFirst()
                if let content = files[file.relativePath], content.identity == file.identity {
                    decoded.append(file)
                } else if files[file.relativePath] != nil {
                    feed(.changed([file]))
                } else {
                    feed(.quarantined(file))
                }
            }
            if !decoded.isEmpty {
                let shard = decoded
                decoded.removeAll()
                manifests += shard.map(\.identity)
                for file in shard { publishedCount[file.identity, default: 0] += 1 }
                var changed: [SourceFile] = []
                for file in shard where !keep {
                    if files[file.relativePath]?.identity == file.identity { files[file.relativePath] = nil }
                    else if files[file.relativePath] != nil { changed.append(file) }
                }
                if !changed.isEmpty { feed(.changed(changed)) }
                feed(.published(shard))
            }
            now += .milliseconds(250)
            feed(.tick)
        }
    }
}

@Test(arguments: Array(UInt64(1)...UInt64(100)))
func intakeSimulationPublishesEveryCompleteFileExactlyOnce(seed: UInt64) {
    for keep in [false, true] {
        var world = IntakeWorld(seed: seed &* 7919 &+ (keep ? 1 : 0), keep: keep)
        for _ in 0..<1500 { world.step() }
        world.quiesce()
        for (identity, count) in world.publishedCount where count > 1 {
            world.problem("\(identity.relativePath) (mtime \(identity.modificationTimeNanoseconds)) published \(count) times")
        }
        for (path, content) in world.files.sorted(by: { $0.key < $1.key }) {
            let count = world.publishedCount[content.identity] ?? 0
            if count != 1 { world.problem("\(path) is in the ingest directory, published \(count) times") }
            if !keep && count == 1 { world.problem("\(path) was published but not disposed of") }
        }
        #expect(world.problems.isEmpty, "seed \(seed) keep \(keep): \(world.problems)")
        #expect(world.intake.ledgerCount <= world.files.count, "the ledger is bounded by the ingest directory")
        #expect(world.intake.trackedCount <= world.files.count)
    }
}
