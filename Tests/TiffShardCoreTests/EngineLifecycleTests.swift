import Testing

@testable import TiffShardCore

private let w1 = WorkerID(1)
private let w2 = WorkerID(2)

@Test func shutdownDropsPendingFilesFinishesInFlightAndPublishesThePartialShard() throws {
    var d = EngineDriver(testSettings(shardSize: 100, workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(6)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    #expect(batch.jobs.map(\.path) == [files[0].path, files[1].path])

    #expect(d.send(.shutdownRequested).isEmpty, "two rows still in flight")
    #expect(d.engine.queuedCount == 0)
    #expect(files[2...].allSatisfy { !d.engine.isKnown($0.path) }, "left in the ingest directory for next time")
    #expect(d.engine.isKnown(files[0].path))
    #expect(d.send(.filesDiscovered(makeFiles(3, prefix: "late"))).isEmpty, "no new work while stopping")
    #expect(d.engine.queuedCount == 0)

    let answered = d.answer(w1, batch)
    #expect(answered.dispatches.isEmpty)
    let publication = try #require(answered.publications.first)
    #expect(publication.paths == [files[0].path, files[1].path])
    let done = d.send(.publicationFinished(sequence: 0, error: nil))
    #expect(done == [.published(sequence: 0, rows: 2), .retireWorker(w1), .finished])
}

@Test func shutdownWithNothingInFlightFinishesAtOnce() {
    var d = EngineDriver(testSettings(workers: 2))
    d.startSpawned(d.send(.tick))
    #expect(d.send(.shutdownRequested) == [.retireWorker(w1), .retireWorker(w2), .finished])
    #expect(d.send(.shutdownRequested).isEmpty, "a second TERM changes nothing")
}

@Test func shutdownStillRetriesJobsOfACrashedWorker() {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(2)
    d.send(.filesDiscovered(files))
    d.send(.shutdownRequested)
    let exit = d.send(.workerExited(w1, .signaled(11)))
    #expect(exit.spawned == [w2], "the batch was accepted: it is finished before exiting")
    d.runToQuiet(d.send(.workerStarted(w2)))
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.engine.isFinished)
}

@Test func shutdownWaitsForAFailingPublication() {
    var d = EngineDriver(testSettings(workers: 1))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    d.send(.shutdownRequested)
    #expect(d.answer(w1, batch).publications.count == 1)
    #expect(d.send(.publicationFinished(sequence: 0, error: PublicationError(detail: "EIO"))).isEmpty)
    #expect(!d.engine.isFinished)
    let retry = d.advance(.seconds(1))
    #expect(retry.publications.map(\.attempt) == [2])
    #expect(d.send(.publicationFinished(sequence: 0, error: nil)).last == .finished)
}

@Test func reconfigureWithTheSameRingAppliesAtOnce() {
    var d = EngineDriver(testSettings(workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(4)
    let first = d.send(.filesDiscovered(files)).firstBatch
    #expect(first.interpolation == .linear)
    var settings = d.engine.settings
    settings.interpolation = .cubic
    settings.maxPixels = 1234
    settings.batchSize = 1
    #expect(d.send(.reconfigure(settings)).isEmpty)
    #expect(d.engine.settings == settings)
    let next = d.answer(w1, first).dispatches
    #expect(next.map(\.batch.interpolation) == [.cubic])
    #expect(next.map(\.batch.maxPixels) == [1234])
    #expect(next.map(\.batch.jobs.count) == [1])
    #expect(d.history.rebuilds.isEmpty)
}

@Test func reconfigureWithANewWidthSealsRebuildsTheRingAndRespawns() throws {
    var d = EngineDriver(testSettings(width: 64, shardSize: 8, workers: 2, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(6)
    let dispatches = d.send(.filesDiscovered(files)).dispatches
    try #require(dispatches.map(\.worker) == [w1, w2])
    var new = d.engine.settings
    new.width = 32
    new.interpolation = .area
    #expect(d.send(.reconfigure(new)).isEmpty)
    #expect(d.engine.settings.width == 64, "old geometry until the ring is rebuilt")
    let afterFirst = d.answer(w1, dispatches[0].batch)
    #expect(afterFirst.dispatches.isEmpty, "no new rows in the old ring")
    let afterSecond = d.answer(w2, dispatches[1].batch)
    let publication = try #require(afterSecond.publications.first)
    #expect(publication.paths == files[0..<4].map(\.path), "partial shard sealed at reconfigure")
    #expect(publication.width == 64)
    let rebuild = d.send(.publicationFinished(sequence: 0, error: nil))
    #expect(
        rebuild == [
            .published(sequence: 0, rows: 4), .retireWorker(w1), .retireWorker(w2), .rebuildRing(new),
            .spawnWorker(WorkerID(3)), .spawnWorker(WorkerID(4)),
        ])
    #expect(d.engine.settings == new)
    let later = d.startSpawned(rebuild).dispatches
    #expect(later.flatMap(\.batch.jobs).map(\.path) == files[4...].map(\.path))
    #expect(later.allSatisfy { $0.batch.width == 32 && $0.batch.interpolation == .area })
    #expect(later.flatMap(\.batch.jobs).map(\.row) == [0, 1], "rows of the new ring")
    d.send(.inputExhausted)
    d.runToQuiet(later.map { .dispatch($0.worker, $0.batch) })
    #expect(d.history.publications.map(\.width) == [64, 32])
    #expect(d.history.publications.map(\.sequence) == [0, 1])
    #expect(d.engine.isFinished)
}

@Test func reconfigureWithANewRingAndNothingInFlightRebuildsAtOnce() {
    var d = EngineDriver(testSettings(workers: 1))
    d.startSpawned(d.send(.tick))
    var new = d.engine.settings
    new.ringSize = 5
    new.workerCount = 2
    #expect(
        d.send(.reconfigure(new)) == [
            .retireWorker(w1), .rebuildRing(new), .spawnWorker(WorkerID(2)), .spawnWorker(WorkerID(3)),
        ])
    #expect(d.send(.workerExited(w1, .exited(0))).isEmpty)
}

/// Two reloads before the ring could be rebuilt: the second one returns to the current geometry. The latest
/// configuration wins; the intermediate geometry must not be built later.
@Test func aLaterReloadBackToTheCurrentGeometryCancelsAPendingRebuild() throws {
    var d = EngineDriver(testSettings(width: 64, shardSize: 8, workers: 1, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(4)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    let original = d.engine.settings
    var wider = original
    wider.width = 128
    d.send(.reconfigure(wider))
    var latest = original
    latest.interpolation = .nearest
    d.send(.reconfigure(latest))
    d.send(.inputExhausted)
    d.runToQuiet(d.answer(w1, batch))
    #expect(d.history.rebuilds.isEmpty)
    #expect(d.engine.settings == latest)
    #expect(d.history.dispatches.dropFirst().allSatisfy { $0.batch.width == 64 && $0.batch.interpolation == .nearest })
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.engine.isFinished)
}

/// A reload whose ring change is still waiting when TERM arrives: stop without building a ring nobody will use.
@Test func shutdownDoesNotBuildAPendingRing() {
    var d = EngineDriver(testSettings(workers: 1))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    var new = d.engine.settings
    new.height = 99
    d.send(.reconfigure(new))
    d.send(.shutdownRequested)
    d.runToQuiet(d.answer(w1, batch))
    #expect(d.engine.isFinished)
    #expect(d.history.rebuilds.isEmpty)
    #expect(d.history.spawned == [w1])
}
