import Testing

@testable import TiffShardCore

/// Settings with `pages: all`.
func pagesSettings(
    shardSize: Int = 1024, ringSize: Int = 3, workers: Int = 2, batchSize: Int = 16, idleFlush: Duration? = nil,
    pages: OutputFormat.Pages = .all
) -> EngineSettings {
    var s = testSettings(shardSize: shardSize, ringSize: ringSize, workers: workers, batchSize: batchSize, idleFlush: idleFlush)
    s.output.pages = pages
    return s
}

/// A decoder report for a file of `pages` pages, as the worker sends it for any page.
func pagedInfo(_ job: DecodeJob, pages: Int, observed: ObservedFile? = nil) -> SourceInfo {
    SourceInfo(width: 100, height: 50, bitsPerSample: 8, channels: 1, pages: UInt32(pages), observed: observed)
}

/// Answers every job as a decoded page of a file with `counts[path]` pages (1 if not listed).
func pagedOutcome(_ counts: [SourcePath: Int]) -> (DecodeJob) -> JobResult.Outcome {
    { job in .decoded(pagedInfo(job, pages: counts[job.path] ?? 1)) }
}

extension ShardPublication {
    /// `name:page` for every row, e.g. `img-000.tif:2`.
    var pages: [String] { rows.map { "\($0.source.path):\($0.page)" } }
    /// The rows that complete their source, as `name:page`.
    var completions: [String] { rows.filter(\.completesSource).map { "\($0.source.path):\($0.page)" } }
}

extension Array where Element == Engine.Action {
    var reexamined: [SourceFile] { compactMap { if case .reexamine(let f, _) = $0 { f } else { nil } } }
}

/// `name:page` for the pages of `file` in `range`.
func pageNames(_ file: SourceFile, _ range: Range<Int>) -> [String] { range.map { "\(file.path):\($0)" } }

@Test func everyPageOfAFileGetsItsOwnRowInPageOrderAndOnlyTheLastCompletesIt() throws {
    var d = EngineDriver(pagesSettings(workers: 2, batchSize: 16))
    let files = makeFiles(3)
    let counts = [files[0].path: 3, files[1].path: 1, files[2].path: 2]
    var actions = d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    let all = d.runToQuiet(actions, outcome: pagedOutcome(counts))
    #expect(all.finished)
    let p = try #require(all.publications.first)
    #expect(all.publications.count == 1)
    // First pages of the window (all three files), then the other pages of each in file order.
    #expect(p.pages == ["img-000.tif:0", "img-001.tif:0", "img-002.tif:0", "img-000.tif:1", "img-000.tif:2", "img-002.tif:1"])
    #expect(p.completions == ["img-001.tif:0", "img-000.tif:2", "img-002.tif:1"])
    #expect(p.rows.map(\.physicalRow) == Array(0..<6))
    #expect(all.dispatches.flatMap(\.batch.jobs).map(\.page) == [0, 0, 0, 1, 2, 1])
    #expect(d.engine.statistics.imagesPublished == 6)
    #expect(d.engine.statistics.sourcesCompleted == 3)
}

@Test func aFilesPagesSpanShardsAndItStaysKnownUntilItsLastPageIsDurable() throws {
    var d = EngineDriver(pagesSettings(shardSize: 2, ringSize: 3, workers: 1, batchSize: 4))
    let file = makeFiles(1)[0]
    var actions = d.send(.filesDiscovered([file]))
    actions += d.startSpawned(actions)
    actions += d.answer(WorkerID(1), actions.firstBatch) { .decoded(pagedInfo($0, pages: 5)) }
    var publications: [ShardPublication] = []
    var queue = actions
    while !queue.isEmpty {
        switch queue.removeFirst() {
        case .dispatch(let id, let batch): queue += d.answer(id, batch) { .decoded(pagedInfo($0, pages: 5)) }
        case .publish(let p):
            publications.append(p)
            #expect(d.engine.isKnown(file.path), "known while shard \(p.sequence) is written")
            queue += d.send(.publicationFinished(sequence: p.sequence, error: nil))
            #expect(d.engine.isKnown(file.path) == !p.rows.contains(where: \.completesSource))
        default: break
        }
        if queue.isEmpty, publications.count < 3 { queue += d.advance(.seconds(1)) + d.send(.inputExhausted) }
    }
    #expect(publications.map(\.pages) == [pageNames(file, 0..<2), pageNames(file, 2..<4), pageNames(file, 4..<5)])
    #expect(publications.map(\.completions) == [[], [], ["img-000.tif:4"]])
    #expect(!d.engine.isKnown(file.path))
}

/// The order of rows is a function of the input, not of which worker answers first (`convert` is deterministic).
@Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
func rowOrderDoesNotDependOnTheOrderWorkersAnswerIn(seed: UInt64) {
    let files = makeFiles(12)
    var counts: [SourcePath: Int] = [:]
    for (i, f) in files.enumerated() { counts[f.path] = [1, 3, 1, 1, 4, 2, 1, 1, 1, 6, 1, 2][i] }
    func run(shuffle: UInt64?) -> [[String]] {
        var rng = SplitMix64(seed: shuffle ?? 0)
        var d = EngineDriver(pagesSettings(shardSize: 5, ringSize: 2, workers: 3, batchSize: 2))
        var queue = d.send(.filesDiscovered(files)) + d.send(.inputExhausted)
        var outstanding: [(WorkerID, DecodeJob)] = []
        var shards: [[String]] = []
        while !queue.isEmpty || !outstanding.isEmpty {
            if queue.isEmpty {
                // Some worker answers: the first job of its batch, but any worker.
                let workersWithJobs = Array(Set(outstanding.map(\.0.rawValue))).sorted()
                let pick = shuffle == nil ? workersWithJobs[0] : workersWithJobs[Int(rng.next() % UInt64(workersWithJobs.count))]
                let index = outstanding.firstIndex { $0.0.rawValue == pick }!
                let (id, job) = outstanding.remove(at: index)
                queue += d.send(.jobFinished(id, JobResult(jobID: job.id, outcome: .decoded(pagedInfo(job, pages: counts[job.path]!)))))
                continue
            }
            switch queue.removeFirst() {
            case .spawnWorker(let id): queue += d.send(.workerStarted(id))
            case .dispatch(let id, let batch): outstanding += batch.jobs.map { (id, $0) }
            case .publish(let p):
                shards.append(p.pages)
                queue += d.send(.publicationFinished(sequence: p.sequence, error: nil))
            default: break
            }
        }
        #expect(d.engine.isFinished)
        return shards
    }
    let reference = run(shuffle: nil)
    #expect(reference.flatMap { $0 }.count == counts.values.reduce(0, +))
    #expect(run(shuffle: seed) == reference)
}

@Test func aFailingMiddlePageRejectsTheWholeFileAndDropsItsUnpublishedRows() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 16))
    let files = makeFiles(2)
    var actions = d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    let all = d.runToQuiet(actions) { job in
        if job.path == files[0].path && job.page == 2 { return .rejected(Rejection(.decodeFailed, "bad strip")) }
        return .decoded(pagedInfo(job, pages: job.path == files[0].path ? 4 : 1))
    }
    #expect(all.rejections.map(\.file) == [files[0]])
    #expect(all.rejections.map(\.reason) == ["page 2 of 4: decode failed: bad strip"])
    #expect(all.rejections.map(\.category) == [.decodeFailed])
    #expect(all.publications.flatMap(\.pages) == ["img-001.tif:0"], "no row of the rejected file in a pending shard")
    #expect(all.finished)
    #expect(!d.engine.isKnown(files[0].path))
    #expect(d.engine.statistics.rejected == 1)
}

/// Rows of a file in shards already published stay; the rest of the file is dropped with the rejection.
@Test func pagesPublishedBeforeAFailingPageStayAndTheSourceIsNotDisposedOf() throws {
    var d = EngineDriver(pagesSettings(shardSize: 2, workers: 1, batchSize: 1))
    let file = makeFiles(1)[0]
    var actions = d.send(.filesDiscovered([file]))
    actions += d.send(.inputExhausted)
    let all = d.runToQuiet(actions) { job in
        job.page == 3 ? .rejected(Rejection(.decodeFailed, "bad strip")) : .decoded(pagedInfo(job, pages: 5))
    }
    #expect(all.publications.map(\.pages) == [pageNames(file, 0..<2)])
    #expect(all.publications.flatMap(\.completions).isEmpty, "nothing disposes of the source")
    #expect(all.rejections.map(\.reason) == ["page 3 of 5: decode failed: bad strip"])
    #expect(!all.dispatches.flatMap(\.batch.jobs).contains { $0.page == 4 }, "no page after the failure is decoded")
    #expect(all.finished)
}

@Test func aWorkerCrashOnPage2IsRetriedOnceThenRejectsTheFile() throws {
    for crashes in [1, 2] {
        var d = EngineDriver(pagesSettings(workers: 1, batchSize: 1))
        let file = makeFiles(1)[0]
        var queue = d.send(.filesDiscovered([file])) + d.send(.inputExhausted)
        var crashed = 0
        var all: [Engine.Action] = []
        while !queue.isEmpty {
            let action = queue.removeFirst()
            all.append(action)
            switch action {
            case .spawnWorker(let id): queue += d.send(.workerStarted(id))
            case .dispatch(let id, let batch):
                if batch.jobs[0].page == 2 && crashed < crashes {
                    crashed += 1
                    queue += d.send(.workerExited(id, .signaled(11)))
                } else {
                    queue += d.answer(id, batch) { .decoded(pagedInfo($0, pages: 4)) }
                }
            case .publish(let p): queue += d.send(.publicationFinished(sequence: p.sequence, error: nil))
            default: break
            }
            if queue.isEmpty && !d.engine.isFinished { queue += d.advance(.seconds(1)) }
        }
        if crashes == 1 {
            #expect(all.rejections.isEmpty)
            #expect(all.publications.flatMap(\.pages) == pageNames(file, 0..<4), "the retried page keeps its row")
            #expect(all.publications.flatMap(\.completions) == ["img-000.tif:3"])
        } else {
            #expect(all.rejections.map(\.reason) == ["page 2 of 4: decoder crashed (signal 11)"])
            #expect(all.rejections.map(\.category) == [.crashed])
            #expect(all.publications.isEmpty, "pages 0, 1 and 3 were in the unpublished shard: dropped")
        }
        #expect(d.engine.isFinished)
    }
}

@Test func aTimeoutOnAPageRejectsTheFileNamingThePage() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 1))
    let files = makeFiles(2)
    var actions = d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    actions += d.startSpawned(actions)
    // Page 0 of the first file: three pages. One worker, batches of one: a window of one file, so its pages
    // come next, together.
    actions = d.answer(WorkerID(1), actions.firstBatch) { .decoded(pagedInfo($0, pages: 3)) }
    let page1 = actions.firstBatch
    #expect(page1.jobs.map(\.path) == [files[0].path])
    #expect(page1.jobs.map(\.page) == [1])
    let kill = d.advance(.seconds(31))
    #expect(kill.killed == [WorkerID(1)])
    let after = d.send(.workerExited(WorkerID(1), .signaled(9)))
    #expect(after.rejections.map(\.reason) == ["page 1 of 3: decode timed out after 30 s"])
    #expect(after.rejections.map(\.file) == [files[0]])
    let rest = d.runToQuiet(after + d.advance(.seconds(1)), outcome: pagedOutcome([:]))
    #expect((after + rest).publications.flatMap(\.pages) == ["img-001.tif:0"])
    #expect(d.engine.isFinished)
}

@Test func aChangedPageDropsTheFileAndHasItLookedAtAgain() throws {
    for how in ["worker says changed", "worker saw other content"] {
        var d = EngineDriver(pagesSettings(workers: 1, batchSize: 16))
        let files = makeFiles(2)
        let actions = d.send(.filesDiscovered(files))
        let all = d.runToQuiet(actions) { job in
            guard job.path == files[0].path && job.page == 1 else {
                return .decoded(pagedInfo(job, pages: job.path == files[0].path ? 3 : 1))
            }
            if how == "worker says changed" { return .rejected(Rejection(.changed, "modified while being read")) }
            return .decoded(pagedInfo(job, pages: 3, observed: ObservedFile(size: 5, modificationTimeNanoseconds: 99)))
        }
        #expect(all.reexamined == [files[0]], "\(how)")
        #expect(all.rejections.isEmpty, "\(how)")
        #expect(!d.engine.isKnown(files[0].path), "\(how): free to be admitted again")
        // The shard is sealed by nothing here (daemon, no idle flush): its rows are the other file's only.
        let rest = d.runToQuiet(d.send(.shutdownRequested))
        #expect((all + rest).publications.flatMap(\.pages) == ["img-001.tif:0"], "\(how)")
    }
}

@Test func outOfMemoryOnAPageIsRetriedForThatPage() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 16))
    let file = makeFiles(1)[0]
    var failures = 0
    var queue = d.send(.filesDiscovered([file])) + d.send(.inputExhausted)
    var all: [Engine.Action] = []
    while !queue.isEmpty || !d.engine.isFinished {
        if queue.isEmpty { queue += d.advance(.seconds(1)); continue }
        let action = queue.removeFirst()
        all.append(action)
        switch action {
        case .spawnWorker(let id): queue += d.send(.workerStarted(id))
        case .dispatch(let id, let batch):
            queue += d.answer(id, batch) { job in
                if job.page == 1 && failures == 0 {
                    failures += 1
                    return .rejected(Rejection(.outOfMemory, "allocation failed"))
                }
                return .decoded(pagedInfo(job, pages: 3))
            }
        case .publish(let p): queue += d.send(.publicationFinished(sequence: p.sequence, error: nil))
        default: break
        }
    }
    #expect(d.engine.statistics.memoryRetries == 1)
    #expect(all.publications.flatMap(\.pages) == pageNames(file, 0..<3))
    #expect(all.rejections.isEmpty)
}

/// After a kill between two shards of a file, the next start decodes only the pages not yet published.
@Test func aFileCutOffBetweenShardsResumesAtItsFirstMissingPage() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 16), firstSequence: 4)
    let files = makeFiles(2)
    var actions = d.send(.resume([files[0].identity: PublishedPages(count: 2, total: 5)]))
    actions += d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    let all = d.runToQuiet(actions) { .decoded(pagedInfo($0, pages: $0.path == files[0].path ? 5 : 1)) }
    let p = try #require(all.publications.first)
    #expect(p.sequence == 4)
    // The resumed file enters the window as its run left it (pages 0 and 1 with rows): its next pages wait
    // for their turn as the oldest file, after the first page of the file behind it.
    #expect(p.pages == ["img-001.tif:0", "img-000.tif:2", "img-000.tif:3", "img-000.tif:4"])
    #expect(p.completions == ["img-001.tif:0", "img-000.tif:4"])
    #expect(all.finished)
}

/// A resumed file whose worker finds other content (same name, new size or mtime) is looked at again as new.
@Test func aResumedFileThatChangedIsLookedAtAgain() {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 16))
    let file = makeFiles(1)[0]
    let start = d.send(.resume([file.identity: PublishedPages(count: 1, total: 3)])) + d.send(.filesDiscovered([file]))
    let all = d.runToQuiet(start) {
        .decoded(pagedInfo($0, pages: 3, observed: ObservedFile(size: 1, modificationTimeNanoseconds: 77)))
    }
    #expect(all.reexamined == [file])
    #expect(all.publications.isEmpty)
}

/// Shutdown: pages without a row are not decoded; the file is not completed, so not disposed of (the next
/// start resumes it from the manifests).
@Test func shutdownMidFileLeavesTheRestOfItsPagesForTheNextStart() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 2))
    let file = makeFiles(1)[0]
    var actions = d.send(.filesDiscovered([file]))
    actions += d.startSpawned(actions)
    actions = d.answer(WorkerID(1), actions.firstBatch) { .decoded(pagedInfo($0, pages: 6)) }
    let batch = actions.firstBatch
    #expect(batch.jobs.map(\.page) == [1, 2])
    var rest = d.send(.shutdownRequested)
    #expect(!d.engine.isKnown(file.path))
    rest += d.answer(WorkerID(1), batch) { .decoded(pagedInfo($0, pages: 6)) }
    rest = d.runToQuiet(rest)
    #expect(rest.publications.flatMap(\.pages) == pageNames(file, 0..<3))
    #expect(rest.publications.flatMap(\.completions).isEmpty)
    #expect(rest.finished)
}

/// A reload that changes `pages` mid-file: the file finishes under the format it started with, then the ring is
/// rebuilt and the next file is read under the new one.
@Test func aReloadMidFileFinishesTheFileUnderItsFormatBeforeTheNewRing() throws {
    var d = EngineDriver(pagesSettings(workers: 1, batchSize: 1))
    let files = makeFiles(2)
    var actions = d.send(.filesDiscovered([files[0]]))
    actions += d.startSpawned(actions)
    actions = d.answer(WorkerID(1), actions.firstBatch) { .decoded(pagedInfo($0, pages: 4)) }
    #expect(actions.firstBatch.jobs.map(\.page) == [1])
    let next = d.settingsAfterReload(pages: .first)
    actions += d.send(.reconfigure(next))
    actions += d.send(.filesDiscovered([files[1]]))
    var all = d.runToQuiet(actions) { .decoded(pagedInfo($0, pages: 4)) }
    all += d.runToQuiet(d.send(.shutdownRequested)) { .decoded(pagedInfo($0, pages: 4)) }
    let publications = all.publications
    #expect(publications.map(\.pages) == [pageNames(files[0], 0..<4), ["img-001.tif:0"]])
    #expect(publications.map(\.completions) == [["img-000.tif:3"], ["img-001.tif:0"]])
    // The rebuild comes after the old file's last shard and before the new file's first job.
    let rebuild = try #require(all.firstIndex { if case .rebuildRing = $0 { true } else { false } })
    let oldShard = try #require(all.firstIndex { if case .publish(let p) = $0 { p.pages.contains("img-000.tif:3") } else { false } })
    let newJob = try #require(all.firstIndex { if case .dispatch(_, let b) = $0 { b.jobs.contains { $0.path == files[1].path } } else { false } })
    #expect(oldShard < rebuild && rebuild < newJob)
    #expect(d.engine.settings.output.pages == .first)
}

/// `pages: first` is what it was: one row per file, page 0, whatever the page count.
@Test func pagesFirstGivesOneRowPerFileWhateverItsPageCount() throws {
    var d = EngineDriver(testSettings(workers: 2))
    let files = makeFiles(4)
    var actions = d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    let all = d.runToQuiet(actions) { .decoded(pagedInfo($0, pages: 7)) }
    let p = try #require(all.publications.first)
    #expect(p.pages == files.map { "\($0.path):0" })
    #expect(p.completions == p.pages)
    #expect(all.dispatches.flatMap(\.batch.jobs).allSatisfy { $0.page == 0 })
    #expect(d.engine.expansions.isEmpty && d.engine.expanding.isEmpty)
}

extension EngineDriver {
    /// The running settings with another `pages`.
    func settingsAfterReload(pages: OutputFormat.Pages) -> EngineSettings {
        var s = engine.settings
        s.output.pages = pages
        return s
    }
}
