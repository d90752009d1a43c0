import Testing

@testable import TiffShardCore

/// `convert`: discover, exhaust, decode on two workers, one publication in discovery order, then finish.
@Test func convertStyleRunPublishesOneShardInDiscoveryOrder() throws {
    var d = EngineDriver(testSettings(workers: 2), firstSequence: 7)
    let files = makeFiles(10)
    var actions = d.send(.filesDiscovered(files))
    #expect(actions == [.spawnWorker(WorkerID(1)), .spawnWorker(WorkerID(2))])
    #expect(d.send(.inputExhausted) == [])
    #expect(d.engine.queuedCount == 10)
    actions = d.startSpawned(actions)
    let dispatches = actions.dispatches
    #expect(!dispatches.isEmpty)
    #expect(dispatches.allSatisfy { $0.batch.width == 64 && $0.batch.height == 32 })
    #expect(dispatches.allSatisfy { $0.batch.interpolation == .linear && $0.batch.maxPixels == 1 << 30 })
    #expect(actions.dispatchedPaths == files.map(\.path), "every file once, in discovery order")
    let jobs = dispatches.flatMap(\.batch.jobs)
    #expect(jobs.map(\.slot) == Array(repeating: jobs[0].slot, count: 10))
    #expect(jobs.map(\.row) == Array(0..<10))
    #expect(Set(jobs.map(\.id)).count == 10)
    #expect(d.engine.queuedCount == 0 && d.engine.inFlightCount == 10)

    var answered: [Engine.Action] = []
    for (worker, batch) in dispatches {
        for job in batch.jobs {
            #expect(answered.publications.isEmpty, "no publication while a row is in flight")
            answered += d.send(.jobFinished(worker, JobResult(jobID: job.id, outcome: .decoded(info(for: job)))))
        }
    }
    #expect(answered.count == 1)
    let publication = try #require(answered.publications.first)
    #expect(publication.sequence == 7)
    #expect(publication.attempt == 1)
    #expect(publication.width == 64 && publication.height == 32)
    #expect(publication.slot == Int(jobs[0].slot))
    #expect(publication.paths == files.map(\.path))
    #expect(publication.rows.map(\.physicalRow) == Array(0..<10))
    #expect(publication.rows.map(\.source) == files)
    #expect(publication.rows.map(\.info) == jobs.map { info(for: $0) })
    #expect(files.allSatisfy { d.engine.isKnown($0.path) }, "still known until durable")

    let done = d.send(.publicationFinished(sequence: 7, error: nil))
    #expect(
        done == [.published(sequence: 7, rows: 10), .retireWorker(WorkerID(1)), .retireWorker(WorkerID(2)), .finished])
    #expect(d.engine.isFinished)
    #expect(d.engine.nextSequence == 8)
    #expect(d.engine.workerCount == 0)
    #expect(!files.contains { d.engine.isKnown($0.path) })
    #expect(d.engine.statistics.imagesPublished == 10)
    #expect(d.engine.statistics.shardsPublished == 1)
    #expect(d.engine.statistics.rejected == 0)
    #expect(d.send(.tick) == [], "nothing after finished")
}

@Test func shardSizeFourGivesThreePublicationsInSequenceOrder() {
    var d = EngineDriver(testSettings(shardSize: 4, ringSize: 3, workers: 2, batchSize: 3), firstSequence: 0)
    let files = makeFiles(10)
    var actions = d.send(.filesDiscovered(files))
    actions += d.send(.inputExhausted)
    actions += d.startSpawned(actions)
    // Answer everything; publications come one at a time, each after the previous one is finished.
    var publications: [ShardPublication] = []
    var pending = actions
    while !pending.isEmpty {
        let action = pending.removeFirst()
        switch action {
        case .dispatch(let id, let batch): pending += d.answer(id, batch)
        case .publish(let p):
            #expect(p.sequence == publications.count, "sequence order")
            publications.append(p)
            let next = d.send(.publicationFinished(sequence: p.sequence, error: nil))
            #expect(next.first == .published(sequence: p.sequence, rows: p.rows.count))
            pending += next
        default: break
        }
    }
    #expect(publications.map(\.rows.count) == [4, 4, 2])
    #expect(publications.map(\.sequence) == [0, 1, 2])
    #expect(publications.flatMap(\.paths) == files.map(\.path))
    #expect(publications.allSatisfy { $0.rows.map(\.physicalRow) == Array(0..<$0.rows.count) })
    #expect(Set(publications.map(\.slot)).count == 3, "three ring segments in use")
    #expect(d.engine.isFinished)
    #expect(d.history.published.map(\.rows) == [4, 4, 2])
}

@Test func onlyOnePublicationIsOutstandingAtATime() {
    var d = EngineDriver(testSettings(shardSize: 2, ringSize: 3, workers: 1, batchSize: 16))
    var actions = d.send(.filesDiscovered(makeFiles(6)))
    actions += d.send(.inputExhausted)
    actions = d.startSpawned(actions)
    let batch = actions.firstBatch
    #expect(batch.jobs.count == 6)
    let answered = d.answer(WorkerID(1), batch)
    #expect(answered.publications.map(\.sequence) == [0], "the others wait for the first to finish")
    #expect(d.send(.publicationFinished(sequence: 0, error: nil)).publications.map(\.sequence) == [1])
    #expect(d.send(.publicationFinished(sequence: 5, error: nil)) == [], "unknown sequence is ignored")
    #expect(d.send(.publicationFinished(sequence: 1, error: nil)).publications.map(\.sequence) == [2])
}

@Test func duplicateDiscoveryOfAKnownPathIsIgnored() {
    var d = EngineDriver(testSettings(workers: 1))
    let files = makeFiles(3)
    d.send(.filesDiscovered([files[0], files[1], files[0]]))
    d.send(.filesDiscovered([files[1], files[2]]))
    #expect(d.engine.queuedCount == 3)
    #expect(files.allSatisfy { d.engine.isKnown($0.path) })
    let actions = d.send(.workerStarted(WorkerID(1)))
    #expect(actions.dispatchedPaths == files.map(\.path))
    // In flight: a rescan sees them again, still ignored.
    d.send(.filesDiscovered(files))
    #expect(d.engine.queuedCount == 0)
    #expect(d.engine.inFlightCount == 3)
}

@Test func eventsFromUnknownWorkersAreIgnored() {
    var d = EngineDriver(testSettings(workers: 1))
    let spawn = d.send(.filesDiscovered(makeFiles(2)))
    let batch = d.startSpawned(spawn).firstBatch
    let stranger = WorkerID(99)
    let before = d.engine
    #expect(d.send(.workerStarted(stranger)) == [])
    #expect(
        d.send(.jobFinished(stranger, JobResult(jobID: batch.jobs[0].id, outcome: .decoded(info(for: batch.jobs[0])))))
            == [])
    #expect(d.send(.workerExited(stranger, .signaled(11))) == [])
    #expect(d.send(.workerSpawnFailed(stranger, WorkerSpawnError(detail: "ENOMEM"))) == [])
    #expect(d.send(.jobFinished(WorkerID(1), JobResult(jobID: 12345, outcome: .rejected(Rejection(.internal, "x"))))) == [], "unknown job")
    #expect(d.engine.statistics == before.statistics)
    #expect(d.engine.inFlightCount == 2)
    #expect(d.engine.workerCount == 1)
}

@Test func resultsFromARetiredWorkerAreIgnored() {
    var d = EngineDriver(testSettings(workers: 2, batchSize: 1))
    d.startSpawned(d.send(.tick))
    let dispatched = d.send(.filesDiscovered(makeFiles(1))).dispatches
    #expect(dispatched.map(\.worker) == [WorkerID(1)])
    // Lower the count: idle worker 2 is retired at once.
    var lowered = d.engine.settings
    lowered.workerCount = 1
    #expect(d.send(.reconfigure(lowered)) == [.retireWorker(WorkerID(2))])
    // Worker 2 exits as asked: not a crash, no respawn.
    #expect(d.send(.workerExited(WorkerID(2), .exited(0))) == [])
    #expect(d.send(.workerStarted(WorkerID(2))) == [])
    #expect(d.engine.statistics.workerCrashes == 0)
    #expect(d.engine.workerCount == 1)
}

@Test func aResultForAnotherWorkersJobIsIgnored() throws {
    var d = EngineDriver(testSettings(workers: 2, batchSize: 1))
    d.startSpawned(d.send(.tick))
    let dispatches = d.send(.filesDiscovered(makeFiles(2))).dispatches
    try #require(dispatches.map(\.worker) == [WorkerID(1), WorkerID(2)])
    let jobOfWorker2 = dispatches[1].batch.jobs[0]
    #expect(d.send(.jobFinished(WorkerID(1), JobResult(jobID: jobOfWorker2.id, outcome: .rejected(Rejection(.internal, "x"))))) == [])
    #expect(d.engine.inFlightCount == 2)
    #expect(d.engine.statistics.rejected == 0)
}

@Test func settingsGeometry() {
    let s = testSettings(width: 224, height: 160, shardSize: 100)
    #expect(s.imageBytes == 224 * 160)
    #expect(s.slotBytes == 100 * 224 * 160)
    var t = s
    t.workerCount = 9
    t.batchSize = 1
    t.interpolation = .cubic
    t.idleFlush = .seconds(1)
    t.maxPixels = 1
    #expect(!s.needsNewRing(t))
    for change in [
        { (x: inout EngineSettings) in x.width += 1 }, { $0.height += 1 }, { $0.shardSize += 1 }, { $0.ringSize += 1 },
    ] {
        var u = s
        change(&u)
        #expect(s.needsNewRing(u))
    }
    #expect(WorkerID(3) < WorkerID(4))
    #expect(WorkerID(3).description == "worker 3")
}
