import Testing

@testable import TiffShardCore

/// Brings up `workers` started workers before any file arrives, so dispatch sees them all idle.
private func startedDriver(_ settings: EngineSettings, firstSequence: Int = 0) -> EngineDriver {
    var d = EngineDriver(settings, firstSequence: firstSequence)
    d.startSpawned(d.send(.tick))
    return d
}

@Test func ringBackpressureLimitsDispatchToTheRing() throws {
    var d = startedDriver(testSettings(shardSize: 4, ringSize: 2, workers: 2, batchSize: 16))
    let files = makeFiles(20)
    var actions = d.send(.filesDiscovered(files))
    #expect(actions.dispatchedPaths.count == 8, "two shards' rows and no more")
    // Answer everything on the workers; no publication is acknowledged yet.
    var answered: [Engine.Action] = []
    for (worker, batch) in actions.dispatches { answered += d.answer(worker, batch) }
    #expect(answered.dispatches.isEmpty, "ring full: idle workers get nothing")
    #expect(d.engine.ringIsFull)
    #expect(d.engine.queuedCount == 12)
    #expect(answered.publications.map(\.sequence) == [0])
    for _ in 0..<5 { #expect(d.advance(.seconds(10)).dispatches.isEmpty) }

    actions = d.send(.publicationFinished(sequence: 0, error: nil))
    #expect(actions.published.map(\.sequence) == [0])
    #expect(actions.dispatchedPaths == Array(files[8..<12].map(\.path)), "one freed segment: four more rows")
    #expect(actions.publications.map(\.sequence) == [1])
    d.runToQuiet(actions)
    #expect(d.history.dispatchedPaths == files.map(\.path))
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.history.published.map(\.sequence) == [0, 1, 2, 3, 4])
}

@Test func failedPublicationIsRetriedAfterBackoffWithTheSameSequence() throws {
    var d = startedDriver(testSettings(shardSize: 4, ringSize: 3, workers: 1), firstSequence: 3)
    let files = makeFiles(4)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    let first = try #require(d.answer(WorkerID(1), batch).publications.first)
    #expect(first.sequence == 3 && first.attempt == 1)

    d.now = .seconds(100)
    #expect(d.send(.publicationFinished(sequence: 3, error: PublicationError(detail: "No space left on device"))) == [])
    #expect(d.engine.statistics.publicationFailures == 1)
    #expect(d.engine.statistics.lastPublicationError?.description == "No space left on device")
    #expect(d.engine.nextRetryTime == .seconds(101))
    #expect(d.tick(at: .milliseconds(100_999)) == [], "not before the backoff")
    let second = try #require(d.tick(at: .seconds(101)).publications.first)
    #expect(second.sequence == 3 && second.attempt == 2)
    #expect(second.rows == first.rows && second.slot == first.slot)
    #expect(d.engine.nextRetryTime == nil)

    // Backoff doubles: 2 s after the second failure.
    #expect(d.send(.publicationFinished(sequence: 3, error: PublicationError(detail: "EIO"))) == [])
    #expect(d.tick(at: .milliseconds(102_999)) == [])
    let third = try #require(d.tick(at: .seconds(103)).publications.first)
    #expect(third.attempt == 3 && third.sequence == 3)
    #expect(d.history.published.isEmpty, "no .published before success")

    let done = d.send(.publicationFinished(sequence: 3, error: nil))
    #expect(done.published.map(\.sequence) == [3])
    #expect(d.engine.statistics.lastPublicationError == nil)
    #expect(d.engine.statistics.publicationFailures == 2)
    #expect(d.engine.nextSequence == 4, "retries used no extra sequence number")
}

@Test func publicationBackoffIsCappedAtThirtySeconds() {
    var d = startedDriver(testSettings(shardSize: 1, workers: 1))
    let batch = d.send(.filesDiscovered(makeFiles(1))).firstBatch
    d.answer(WorkerID(1), batch)
    var delays: [Duration] = []
    for attempt in 1...9 {
        let failedAt = d.now
        d.send(.publicationFinished(sequence: 0, error: PublicationError(detail: "EIO")))
        let retryAt = d.engine.nextRetryTime!
        delays.append(retryAt - failedAt)
        #expect(d.tick(at: retryAt).publications.map(\.attempt) == [attempt + 1])
    }
    #expect(delays == [1, 2, 4, 8, 16, 30, 30, 30, 30].map { Duration.seconds($0) })
}

@Test func failingPublicationFillsTheRingAndPausesDispatch() throws {
    var d = startedDriver(testSettings(shardSize: 2, ringSize: 2, workers: 1, batchSize: 2))
    let files = makeFiles(10)
    var actions = d.send(.filesDiscovered(files))
    actions = d.answer(WorkerID(1), actions.firstBatch)
    #expect(actions.publications.map(\.sequence) == [0])
    #expect(actions.dispatches.count == 1, "second segment still free")
    #expect(d.send(.publicationFinished(sequence: 0, error: PublicationError(detail: "ENOSPC"))) == [])
    actions = d.answer(WorkerID(1), actions.firstBatch)
    #expect(actions.dispatches.isEmpty, "both segments hold rows: dispatch pauses")
    #expect(actions.publications.isEmpty, "shard 1 waits behind shard 0")
    #expect(d.engine.ringIsFull)
    #expect(d.engine.queuedCount == 6)
    #expect(d.advance(.milliseconds(999)).isEmpty)
    actions = d.advance(.milliseconds(1))
    #expect(actions.publications.map(\.sequence) == [0])
    #expect(actions.dispatches.isEmpty)
    #expect(d.send(.publicationFinished(sequence: 0, error: PublicationError(detail: "ENOSPC"))).isEmpty)
    #expect(d.advance(.seconds(1)).isEmpty, "second backoff is 2 s")
    actions = d.advance(.seconds(1))
    #expect(actions.publications.map(\.sequence) == [0])
    actions = d.send(.publicationFinished(sequence: 0, error: nil))
    #expect(actions.published.map(\.sequence) == [0])
    #expect(actions.dispatchedPaths == [files[4].path, files[5].path], "dispatch resumes")
    #expect(actions.publications.map(\.sequence) == [1])
    d.send(.inputExhausted)
    d.runToQuiet(actions)
    #expect(d.history.published.map(\.sequence) == [0, 1, 2, 3, 4])
    #expect(d.engine.isFinished)
}

@Test func rejectedRowsAreCompactedOutOfThePublication() throws {
    var d = startedDriver(testSettings(shardSize: 4, workers: 1))
    let files = makeFiles(4)
    let batch = d.send(.filesDiscovered(files)).firstBatch
    let actions = d.answer(WorkerID(1), batch) { job in
        switch job.row {
        case 1: .rejected(Rejection(.notTIFF, "bad signature"))
        case 2: .rejected(Rejection(.tooLarge, "100000 x 100000"))
        default: .decoded(info(for: job))
        }
    }
    #expect(actions.rejections.map(\.file) == [files[1], files[2]])
    #expect(actions.rejections.map(\.reason) == ["not a TIFF: bad signature", "too large: 100000 x 100000"])
    #expect(!d.engine.isKnown(files[1].path) && !d.engine.isKnown(files[2].path))
    let publication = try #require(actions.publications.first)
    #expect(publication.paths == [files[0].path, files[3].path])
    #expect(publication.rows.map(\.physicalRow) == [0, 3], "rows keep their place in the segment")
    #expect(d.send(.publicationFinished(sequence: 0, error: nil)) == [.published(sequence: 0, rows: 2)])
    #expect(d.engine.statistics.rejected == 2)
    #expect(d.engine.statistics.rejectedByCategory == [.notTIFF: 1, .tooLarge: 1])
    #expect(d.engine.statistics.imagesPublished == 2)
}

@Test func aShardOfOnlyRejectedRowsPublishesNothingAndUsesNoSequenceNumber() {
    var d = startedDriver(testSettings(shardSize: 2, workers: 1), firstSequence: 10)
    let files = makeFiles(6)
    let found = d.send(.filesDiscovered(files))
    d.send(.inputExhausted)
    d.runToQuiet(found) { job in
        job.path == files[2].path || job.path == files[3].path
            ? .rejected(Rejection(.unsupported, "palette")) : .decoded(info(for: job))
    }
    let publications = d.history.publications
    #expect(publications.map(\.sequence) == [10, 11])
    #expect(publications.map(\.paths) == [[files[0].path, files[1].path], [files[4].path, files[5].path]])
    #expect(d.history.published.map(\.sequence) == [10, 11])
    #expect(d.history.rejections.map(\.file) == [files[2], files[3]])
    #expect(d.engine.nextSequence == 12)
    #expect(d.engine.isFinished)
}

@Test func aRunWhereEverythingIsRejectedFinishesWithoutPublishing() {
    var d = EngineDriver(testSettings(workers: 1))
    var actions = d.send(.filesDiscovered(makeFiles(3)))
    d.send(.inputExhausted)
    actions = d.startSpawned(actions)
    actions = d.answer(WorkerID(1), actions.firstBatch) { _ in .rejected(Rejection(.empty, "empty file")) }
    #expect(actions.rejections.count == 3)
    #expect(actions.publications.isEmpty)
    #expect(actions.last == .finished)
    #expect(d.engine.nextSequence == 0)
}
