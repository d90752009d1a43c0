import Testing

@testable import TiffShardCore

@Test func idleFlushSealsAPartialShardAfterQuietTime() throws {
    var d = EngineDriver(testSettings(workers: 1, idleFlush: .seconds(2)))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(4)
    var actions = d.send(.filesDiscovered(Array(files[0..<3])))
    d.now = .milliseconds(100)
    #expect(d.answer(WorkerID(1), actions.firstBatch).isEmpty)
    #expect(d.tick(at: .milliseconds(1500)).isEmpty)
    // A new arrival restarts the idle timer.
    actions = d.send(.filesDiscovered([files[3]]))
    d.answer(WorkerID(1), actions.firstBatch)
    #expect(d.tick(at: .milliseconds(2000)).isEmpty)
    #expect(d.tick(at: .milliseconds(3499)).isEmpty)
    let publication = try #require(d.tick(at: .milliseconds(3500)).publications.first)
    #expect(publication.paths == files.map(\.path))
    #expect(publication.sequence == 0)
    #expect(d.send(.publicationFinished(sequence: 0, error: nil)) == [.published(sequence: 0, rows: 4)])
    // The next file opens a new shard.
    actions = d.send(.filesDiscovered(makeFiles(1, prefix: "next")))
    #expect(actions.firstBatch.jobs[0].row == 0)
    #expect(!d.engine.isFinished, "a daemon keeps running")
}

@Test func idleFlushWaitsForRowsInFlight() throws {
    var d = EngineDriver(testSettings(workers: 1, idleFlush: .seconds(2)))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    #expect(d.tick(at: .seconds(5)).isEmpty, "sealed, but a row is still being decoded")
    d.send(.jobFinished(WorkerID(1), JobResult(jobID: batch.jobs[0].id, outcome: .decoded(info(for: batch.jobs[0])))))
    let last = d.send(
        .jobFinished(WorkerID(1), JobResult(jobID: batch.jobs[1].id, outcome: .decoded(info(for: batch.jobs[1])))))
    #expect(last.publications.map(\.rows.count) == [2])
}

@Test func withoutIdleFlushAPartialShardWaits() {
    var d = EngineDriver(testSettings(workers: 1))
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(3))).firstBatch
    d.answer(WorkerID(1), batch)
    #expect(d.tick(at: .seconds(3600)).isEmpty)
    #expect(d.send(.shutdownRequested).publications.map(\.rows.count) == [3])
}

@Test func maxShardAgeSealsWhileFilesKeepArriving() throws {
    var d = EngineDriver(testSettings(workers: 1, idleFlush: .seconds(2), maxShardAge: .seconds(5)))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(12)
    var publications: [ShardPublication] = []
    for (i, file) in files.enumerated() {
        d.now = .milliseconds(1000 * Int64(i))
        var actions = d.send(.filesDiscovered([file]))
        for (worker, batch) in actions.dispatches { actions += d.answer(worker, batch) }
        actions += d.advance(.milliseconds(500))
        for p in actions.publications {
            publications.append(p)
            d.send(.publicationFinished(sequence: p.sequence, error: nil))
        }
    }
    // Never idle for 2 s, yet shards are sealed every 5 s.
    #expect(publications.count == 2)
    let first = try #require(publications.first)
    #expect(first.paths == files[0..<6].map(\.path), "rows assigned at 0 s ... 5 s")
    #expect(publications[1].paths == files[6..<12].map(\.path), "opened at 6 s, sealed at 11 s")
    #expect(publications.map(\.sequence) == [0, 1])
}

@Test func exhaustedInputSealsTheLastPartialShard() throws {
    var d = EngineDriver(testSettings(shardSize: 8, workers: 1))
    var actions = d.send(.filesDiscovered(makeFiles(3)))
    actions = d.startSpawned(actions)
    actions = d.answer(WorkerID(1), actions.firstBatch)
    #expect(actions.publications.isEmpty, "more files may still come")
    actions = d.send(.inputExhausted)
    #expect(actions.publications.map(\.rows.count) == [3])
    #expect(d.send(.publicationFinished(sequence: 0, error: nil)).last == .finished)
}

@Test func inputExhaustedWithNothingToDoFinishesAtOnce() {
    var d = EngineDriver(testSettings(workers: 2))
    #expect(d.send(.inputExhausted) == [.finished])
    #expect(d.engine.isFinished)
}
