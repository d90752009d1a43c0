import Testing

@testable import TiffShardCore

private let w1 = WorkerID(1)
private let w2 = WorkerID(2)
private let w3 = WorkerID(3)

private let oom = Rejection(.outOfMemory, "allocation failed (std::bad_alloc)")

/// One worker, one job per batch: every dispatch is one file, so the order of work is easy to read.
private func serialDriver(maxAttempts: Int = 2) -> EngineDriver {
    var settings = testSettings(workers: 1, batchSize: 1)
    settings.maxAttempts = maxAttempts
    var d = EngineDriver(settings)
    d.startSpawned(d.send(.tick))
    return d
}

/// The decoder hitting the worker's memory limit is not proof of a bad file: the file is tried again after a
/// delay (keeping its row, while other files flow), and quarantined as out-of-memory only after max-attempts.
@Test func outOfMemoryIsRetriedLaterThenQuarantinedAfterMaxAttempts() throws {
    var d = serialDriver()
    let files = makeFiles(3)
    var batch = d.send(.filesDiscovered(files)).firstBatch
    d.send(.inputExhausted)
    try #require(batch.jobs.map(\.path) == [files[0].path])
    let first = batch.jobs[0]

    var actions = d.send(.jobFinished(w1, JobResult(jobID: first.id, outcome: .rejected(oom))))
    #expect(actions.rejections.isEmpty, "not quarantined on the first out-of-memory")
    #expect(d.engine.statistics.memoryRetries == 1)
    #expect(d.engine.isKnown(files[0].path))
    #expect(actions.dispatchedPaths == [files[1].path], "the others keep flowing while it waits")
    actions = d.answer(w1, actions.firstBatch)
    #expect(actions.dispatchedPaths == [files[2].path])
    actions = d.answer(w1, actions.firstBatch)
    #expect(actions.dispatches.isEmpty && actions.publications.isEmpty, "its row holds the shard back")

    #expect(d.tick(at: .milliseconds(999)).dispatches.isEmpty, "1 s before the second attempt")
    batch = d.tick(at: .seconds(1)).firstBatch
    #expect(batch.jobs.map(\.id) == [first.id])
    #expect(batch.jobs.map(\.row) == [first.row], "the retry keeps its row")

    actions = d.send(.jobFinished(w1, JobResult(jobID: first.id, outcome: .rejected(oom))))
    #expect(actions.rejections.map(\.file) == [files[0]])
    #expect(actions.rejections.map(\.category) == [.outOfMemory])
    #expect(actions.rejections.map(\.reason) == ["out of memory: allocation failed (std::bad_alloc)"])
    #expect(d.engine.statistics.rejectedByCategory == [.outOfMemory: 1])
    let publication = try #require(actions.publications.first)
    #expect(publication.paths == [files[1].path, files[2].path])
    d.runToQuiet(actions)
    #expect(d.engine.isFinished)
}

@Test func outOfMemoryRetriesBackOffByAttempt() {
    #expect(Engine.memoryRetryDelay(afterAttempt: 1) == .seconds(1))
    #expect(Engine.memoryRetryDelay(afterAttempt: 2) == .seconds(2))
    #expect(Engine.memoryRetryDelay(afterAttempt: 3) == .seconds(4))
    #expect(Engine.memoryRetryDelay(afterAttempt: 40) == .seconds(30))
}

/// A file that keeps crashing its worker waits, alone, a little longer before each new try; the worker is
/// replaced at once and the other files keep flowing through it.
@Test func aFileThatKeepsCrashingDelaysOnlyItsOwnRetry() throws {
    var d = serialDriver(maxAttempts: 4)
    let boom = makeFiles(1, prefix: "boom")[0]
    let good = makeFiles(6)
    var actions = d.send(.filesDiscovered([boom] + good))
    d.send(.inputExhausted)
    try #require(actions.dispatchedPaths == [boom.path])

    // First crash: the replacement starts at once and retries the file at once (a crash may be bad luck).
    actions = d.send(.workerExited(w1, .signaled(11)))
    #expect(actions == [.spawnWorker(w2)], "no respawn backoff: the crash is the file's doing")
    #expect(d.send(.workerStarted(w2)).dispatchedPaths == [boom.path])

    // Second crash: the replacement starts at once, but the file waits 0.25 s; the good files go first.
    actions = d.send(.workerExited(w2, .signaled(11)))
    #expect(actions == [.spawnWorker(w3)])
    actions = d.send(.workerStarted(w3))
    #expect(actions.dispatchedPaths == [good[0].path])
    actions = d.answer(w3, actions.firstBatch)
    #expect(actions.dispatchedPaths == [good[1].path])
    d.now = .milliseconds(249)
    actions = d.answer(w3, actions.firstBatch)
    #expect(actions.dispatchedPaths == [good[2].path], "still waiting at 0.249 s")
    d.now = .milliseconds(250)
    actions = d.answer(w3, actions.firstBatch)
    #expect(actions.dispatchedPaths == [boom.path], "due at 0.25 s, and retries go before new files")

    // Third crash: 0.5 s this time. Fourth: max-attempts reached, quarantined.
    actions = d.send(.workerExited(w3, .signaled(11)))
    #expect(actions == [.spawnWorker(WorkerID(4))])
    actions = d.send(.workerStarted(WorkerID(4)))
    #expect(actions.dispatchedPaths == [good[3].path])
    d.now = .milliseconds(749)
    actions = d.answer(WorkerID(4), actions.firstBatch)
    #expect(actions.dispatchedPaths == [good[4].path])
    d.now = .milliseconds(750)
    actions = d.answer(WorkerID(4), actions.firstBatch)
    #expect(actions.dispatchedPaths == [boom.path])
    actions = d.send(.workerExited(WorkerID(4), .signaled(6)))
    #expect(actions.rejections.map(\.reason) == ["decoder crashed (signal 6)"])
    #expect(actions.rejections.map(\.category) == [.crashed])
    #expect(actions.spawned == [WorkerID(5)])
    d.runToQuiet(actions)
    #expect(d.engine.isFinished)
    #expect(Set(d.history.publications.flatMap(\.paths)) == Set(good.map(\.path)))
    #expect(d.engine.statistics.workerCrashes == 4)
}

@Test func crashRetriesBackOffPerFileByAttempt() {
    #expect(Engine.crashRetryDelay(afterAttempt: 1) == .zero)
    #expect(Engine.crashRetryDelay(afterAttempt: 2) == .milliseconds(250))
    #expect(Engine.crashRetryDelay(afterAttempt: 3) == .milliseconds(500))
    #expect(Engine.crashRetryDelay(afterAttempt: 20) == .seconds(30))
}

/// Two files crash their workers in turn: neither's backoff delays the other's first retry, nor the respawns.
@Test func crashBackoffIsCountedPerFileNotGlobally() throws {
    var settings = testSettings(workers: 2, batchSize: 1)
    settings.maxAttempts = 3
    var d = EngineDriver(settings)
    d.startSpawned(d.send(.tick))
    let a = makeFiles(1, prefix: "a")[0]
    let b = makeFiles(1, prefix: "b")[0]
    let actions = d.send(.filesDiscovered([a, b]))
    try #require(actions.dispatches.map(\.worker) == [w1, w2])
    // Both die: each file has had one attempt, so each is retried at once on the replacements.
    #expect(d.send(.workerExited(w1, .signaled(11))) == [.spawnWorker(w3)])
    #expect(d.send(.workerExited(w2, .signaled(11))) == [.spawnWorker(WorkerID(4))])
    var retried = d.send(.workerStarted(w3)).dispatchedPaths
    retried += d.send(.workerStarted(WorkerID(4))).dispatchedPaths
    #expect(Set(retried) == [a.path, b.path], "four deaths in a row, still no delay for a file's first retry")
}

/// A file rewritten while the worker read it is not a bad file: looked at again, not counted, not quarantined.
@Test func aChangedFileIsReexaminedNotRejected() {
    var d = serialDriver()
    let files = makeFiles(1)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    let changed = Rejection(.changed, "modified while being read")
    let actions = d.send(.jobFinished(w1, JobResult(jobID: batch.jobs[0].id, outcome: .rejected(changed))))
    #expect(actions == [.reexamine(files[0], changed)])
    #expect(d.engine.statistics.rejected == 0)
    #expect(!d.engine.isKnown(files[0].path))
}

/// Shutdown while a reload waits for the ring to drain: the new ring is never built.
@Test func shutdownDropsAPendingRingRebuild() {
    var d = EngineDriver(testSettings(workers: 1))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    d.send(.reconfigure(testSettings(width: 128, workers: 1)))
    d.send(.shutdownRequested)
    d.runToQuiet(d.answer(w1, batch))
    #expect(d.history.rebuilds.isEmpty)
    #expect(d.engine.isFinished)
    #expect(d.engine.settings.width == 64)
}
