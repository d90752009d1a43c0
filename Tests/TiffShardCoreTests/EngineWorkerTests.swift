import Testing

@testable import TiffShardCore

private let w1 = WorkerID(1)
private let w2 = WorkerID(2)
private let w3 = WorkerID(3)

private func decoded(_ job: DecodeJob) -> JobResult { JobResult(jobID: job.id, outcome: .decoded(info(for: job))) }

@Test func batchingSplitsWorkAcrossIdleWorkers() {
    var d = EngineDriver(testSettings(workers: 2, batchSize: 16))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(10)
    let dispatches = d.send(.filesDiscovered(files)).dispatches
    #expect(dispatches.map(\.worker) == [w1, w2])
    #expect(dispatches.map(\.batch.jobs.count) == [5, 5])
    #expect(dispatches.flatMap(\.batch.jobs).map(\.path) == files.map(\.path))
}

@Test func batchesNeverExceedTheBatchSize() throws {
    var d = EngineDriver(testSettings(workers: 2, batchSize: 3))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(10)
    var actions = d.send(.filesDiscovered(files))
    try #require(actions.dispatches.map(\.batch.jobs.count) == [3, 3])
    #expect(d.engine.queuedCount == 4)
    let firstBatch = actions.firstBatch
    actions = d.answer(w2, actions.dispatches[1].batch)
    #expect(actions.dispatches.map(\.worker) == [w2], "the worker that became idle gets the next batch")
    #expect(actions.dispatches.map(\.batch.jobs.count) == [3])
    d.send(.inputExhausted)
    d.runToQuiet([.dispatch(w1, firstBatch)] + actions)
    #expect(d.history.dispatches.allSatisfy { $0.batch.jobs.count <= 3 })
    #expect(Set(d.history.dispatchedPaths) == Set(files.map(\.path)))
    #expect(d.history.dispatchedPaths.count == 10, "each file dispatched once")
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.engine.isFinished)
}

@Test func startingWorkersGetNoWork() {
    var d = EngineDriver(testSettings(workers: 2))
    let actions = d.send(.filesDiscovered(makeFiles(3)))
    #expect(actions.dispatches.isEmpty)
    #expect(d.send(.workerStarted(w2)).dispatches.map(\.worker) == [w2])
    #expect(d.send(.workerStarted(w2)).isEmpty, "a duplicate start changes nothing")
}

/// A crash costs the running job one attempt (it is retried on another worker, then rejected); the jobs
/// queued behind it in the batch lose nothing and keep their rows.
@Test func workerCrashRetriesTheRunningJobOnceThenRejectsIt() throws {
    var d = EngineDriver(testSettings(workers: 2, batchSize: 3))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(6)
    let dispatches = d.send(.filesDiscovered(files)).dispatches
    d.send(.inputExhausted)
    try #require(dispatches.map(\.worker) == [w1, w2])
    let batch1 = dispatches[0].batch
    let batch2 = dispatches[1].batch
    d.send(.jobFinished(w1, decoded(batch1.jobs[0])))

    var actions = d.send(.workerExited(w1, .signaled(11)))
    #expect(actions == [.spawnWorker(w3)], "first crash: respawn at once, nothing rejected")
    #expect(d.engine.statistics.workerCrashes == 1)
    #expect(d.engine.queuedCount == 2)

    actions = d.answer(w2, batch2)
    let retry = try #require(actions.dispatches.first)
    #expect(retry.worker == w2)
    // w3 is still starting, so it gets its share of the two retries: w2 takes only the first.
    #expect(retry.batch.jobs.map(\.path) == [files[1].path])
    #expect(retry.batch.jobs.map(\.row) == [batch1.jobs[1].row], "retries keep their rows")
    #expect(retry.batch.jobs.map(\.slot) == [batch1.jobs[1].slot])
    #expect(retry.batch.jobs.map(\.id) == [batch1.jobs[1].id])

    // The same file crashes its second worker: rejected. The one behind it is retried again, still no penalty.
    actions = d.send(.workerExited(w2, .signaled(11)))
    #expect(actions.rejections.map(\.file) == [files[1]])
    #expect(actions.rejections.map(\.reason) == ["decoder crashed (signal 11)"])
    #expect(!d.engine.isKnown(files[1].path))
    #expect(d.engine.isKnown(files[2].path))
    actions += d.send(.workerStarted(w3))
    let again = try #require(actions.dispatches.first)
    #expect(again.worker == w3)
    #expect(again.batch.jobs.map(\.path) == [files[2].path])
    actions = d.answer(w3, again.batch)
    let publication = try #require(actions.publications.first)
    #expect(publication.paths == [0, 2, 3, 4, 5].map { files[$0].path })
    #expect(publication.rows.map(\.physicalRow) == [0, 2, 3, 4, 5])
    #expect(d.engine.statistics.rejectedByCategory == [.crashed: 1])
    #expect(d.engine.statistics.workerCrashes == 2)
}

@Test func maxAttemptsIsHonoured() throws {
    var settings = testSettings(workers: 1)
    settings.maxAttempts = 3
    var d = EngineDriver(settings)
    d.startSpawned(d.send(.tick))
    d.send(.filesDiscovered(makeFiles(1)))
    var rejections = 0
    for attempt in 1...3 {
        let id = WorkerID(attempt)
        #expect(d.engine.workerCount == 1)
        let exit = d.send(.workerExited(id, .exited(134)))
        rejections += exit.rejections.count
        #expect(exit.rejections.count == (attempt == 3 ? 1 : 0))
        if attempt < 3 {
            // Consecutive crashes back off; let time pass and start the replacement.
            let spawned = exit.spawned + d.advance(.seconds(60)).spawned
            try #require(spawned == [WorkerID(attempt + 1)])
            #expect(d.send(.workerStarted(spawned[0])).dispatches.count == 1)
        }
    }
    #expect(d.history.rejections.map(\.reason) == ["decoder crashed (exit code 134)"])
}

@Test func crashLoopBacksOffRespawning() {
    var d = EngineDriver(testSettings(workers: 1))
    #expect(d.send(.tick) == [.spawnWorker(w1)])
    #expect(d.send(.workerExited(w1, .exited(127))) == [.spawnWorker(w2)])
    #expect(d.send(.workerSpawnFailed(w2, WorkerSpawnError(detail: "ENOMEM"))).isEmpty, "second crash in a row: back off")
    #expect(d.engine.workerCount == 0)
    #expect(d.advance(.milliseconds(249)).isEmpty)
    #expect(d.advance(.milliseconds(1)) == [.spawnWorker(w3)])
    var expectedDelays: [Int64] = []
    var delays: [Int64] = []
    var fatal = 0
    var id = 3
    for crash in 3...12 {
        expectedDelays.append(min(30_000, 250 << Int64(crash - 2)))
        let actions = d.send(.workerExited(WorkerID(id), .signaled(6)))
        // The fifth death in a row right after a start is fatal (reported once); nothing else happens.
        #expect(actions.filter { if case .fatal = $0 { false } else { true } }.isEmpty)
        fatal += actions.filter { if case .fatal = $0 { true } else { false } }.count
        var waited: Int64 = 0
        while true {
            waited += 50
            if !d.advance(.milliseconds(50)).spawned.isEmpty { break }
        }
        delays.append(waited)
        id += 1
    }
    #expect(delays == expectedDelays)
    #expect(delays.max() == 30_000)
    #expect(fatal == 1)
    #expect(d.engine.statistics.workerCrashes == 12)

    // A successful decode ends the loop: the next crash respawns at once.
    d.send(.workerStarted(WorkerID(id)))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    d.send(.jobFinished(WorkerID(id), decoded(batch.jobs[0])))
    #expect(d.send(.workerExited(WorkerID(id), .signaled(11))).spawned == [WorkerID(id + 1)])
}

@Test func hungDecodeIsKilledAndRejected() throws {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(3)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    d.send(.inputExhausted)
    #expect(batch.jobs.count == 2)
    #expect(d.tick(at: .seconds(30)).isEmpty, "exactly the limit is still fine")
    let kill = d.tick(at: .milliseconds(30_001))
    #expect(kill == [.killWorker(w1, reason: .decodeTimeout(.seconds(30)))])
    #expect(d.advance(.seconds(10)).isEmpty, "killed once")
    let exit = d.send(.workerExited(w1, .signaled(9)))
    #expect(exit.rejections.map(\.file) == [files[0]])
    #expect(exit.rejections.map(\.reason) == ["decode timed out after 30 s"])
    #expect(exit.spawned == [w2])
    let next = d.send(.workerStarted(w2)).dispatches
    #expect(next.flatMap(\.batch.jobs).map(\.path) == [files[1].path, files[2].path], "the job behind it is retried")
    let rest = d.runToQuiet(next.map { .dispatch($0.worker, $0.batch) })
    #expect(rest.publications.first?.paths == [files[1].path, files[2].path])
    #expect(d.engine.isFinished)
}

@Test func decodeTimeoutCountsFromTheCurrentImage() {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 3))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(3))).firstBatch
    d.now = .seconds(20)
    d.send(.jobFinished(w1, decoded(batch.jobs[0])))
    #expect(d.tick(at: .seconds(45)).isEmpty, "second image started at 20 s")
    #expect(d.tick(at: .milliseconds(50_001)).killed == [w1])
}

@Test func noDecodeTimeoutMeansNoKill() {
    var d = EngineDriver(testSettings(workers: 1, decodeTimeout: nil))
    d.startSpawned(d.send(.tick))
    d.send(.filesDiscovered(makeFiles(1)))
    #expect(d.tick(at: .seconds(86_400)).isEmpty)
}

/// The hung image's result can already be in the socket when the kill goes out: the worker must get no new work,
/// and the image after it, which only just started, is not "timed out".
@Test func resultArrivingAfterTimeoutKillIsKeptAndTheWorkerGetsNoNewBatch() throws {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(4)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    d.send(.inputExhausted)
    #expect(d.tick(at: .seconds(31)).killed == [w1])
    var late = d.send(.jobFinished(w1, decoded(batch.jobs[0])))
    late += d.send(.jobFinished(w1, decoded(batch.jobs[1])))
    #expect(late.dispatches.isEmpty, "a worker being killed gets no new batch")
    let exit = d.send(.workerExited(w1, .signaled(9)))
    #expect(exit.rejections.isEmpty, "nothing was lost to the timeout")
    d.runToQuiet(exit + d.send(.workerStarted(w2)))
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.engine.isFinished)
}

@Test func timedOutJobIsTheOneRejectedEvenIfALaterResultArrives() throws {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 3))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(3)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    d.now = .seconds(5)
    d.send(.jobFinished(w1, decoded(batch.jobs[0])))
    #expect(d.tick(at: .seconds(36)).killed == [w1])
    // The image that hung (row 1) answers after all, just before the kill lands; row 2 had barely started.
    d.send(.jobFinished(w1, decoded(batch.jobs[1])))
    let exit = d.send(.workerExited(w1, .signaled(9)))
    #expect(exit.rejections.isEmpty, "row 2 did not time out")
    #expect(d.engine.queuedCount == 1)
}

@Test func loweringTheWorkerCountRetiresIdleWorkersNowAndBusyOnesWhenDone() throws {
    var d = EngineDriver(testSettings(workers: 4, batchSize: 1))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(2)
    let dispatches = d.send(.filesDiscovered(files)).dispatches
    try #require(dispatches.map(\.worker) == [w1, w2])
    var settings = d.engine.settings
    settings.workerCount = 1
    #expect(d.send(.reconfigure(settings)) == [.retireWorker(WorkerID(4)), .retireWorker(w3)])
    #expect(d.engine.workerCount == 2)
    #expect(d.send(.jobFinished(w2, decoded(dispatches[1].batch.jobs[0]))) == [.retireWorker(w2)])
    #expect(d.engine.workerCount == 1)
    #expect(d.send(.jobFinished(w1, decoded(dispatches[0].batch.jobs[0]))).retired.isEmpty)
    #expect(d.send(.workerExited(w2, .exited(0))).isEmpty, "retired: no respawn")
    #expect(d.engine.statistics.workerCrashes == 0)
    settings.workerCount = 3
    #expect(d.send(.reconfigure(settings)).spawned == [WorkerID(5), WorkerID(6)])
}
