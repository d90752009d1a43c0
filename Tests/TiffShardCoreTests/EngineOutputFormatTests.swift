import Testing

@testable import TiffShardCore

// The output options through the engine: every publication says the format of its rows, and a reload that
// changes any option seals and publishes the current shard (in the old format) before the ring is rebuilt
// in the new one, as a geometry change does. One shard never mixes formats.

private let w1 = WorkerID(1)
private let w2 = WorkerID(2)

/// One change of each output option (pad-value with and without fit: the option counts either way).
private let changes: [(name: String, change: @Sendable (inout OutputFormat) -> Void)] = [
    ("dtype uint16", { $0.dtype = .uint16 }), ("dtype float32", { $0.dtype = .float32 }),
    ("color rgb", { $0.color = .rgb }), ("pages all", { $0.pages = .all }), ("resize fit", { $0.resize = .fit }),
    ("resize crop", { $0.resize = .crop }), ("pad-value", { $0.padValue = 17 }),
    ("fit and pad-value", { $0.resize = .fit; $0.padValue = 200 }),
]

@Test func publicationsCarryTheOutputFormat() throws {
    let output = OutputFormat(dtype: .float32, color: .rgb, pages: .first, resize: .crop, padValue: 3)
    var settings = testSettings(shardSize: 4, workers: 1)
    settings.output = output
    var d = EngineDriver(settings)
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(3))).firstBatch
    d.send(.inputExhausted)
    d.runToQuiet(d.answer(w1, batch))
    #expect(d.history.publications.map(\.output) == [output])
    #expect(d.engine.isFinished)
}

@Test(arguments: 0..<changes.count)
func aReloadChangingAnOutputOptionPublishesTheCurrentShardFirst(_ index: Int) throws {
    var d = EngineDriver(testSettings(width: 64, shardSize: 8, workers: 2, batchSize: 2))
    d.startSpawned(d.send(.tick))
    let files = makeFiles(6)
    let dispatches = d.send(.filesDiscovered(files)).dispatches
    try #require(dispatches.map(\.worker) == [w1, w2])
    let old = d.engine.settings
    var new = old
    changes[index].change(&new.output)
    try #require(new.output != old.output, "\(changes[index].name)")
    #expect(old.needsNewRing(new))
    #expect(d.send(.reconfigure(new)).isEmpty)
    #expect(d.engine.settings == old, "old format until the ring is rebuilt")
    #expect(d.answer(w1, dispatches[0].batch).dispatches.isEmpty, "no new rows in the old ring")
    let publication = try #require(d.answer(w2, dispatches[1].batch).publications.first)
    #expect(publication.paths == files[0..<4].map(\.path), "partial shard sealed at reconfigure")
    #expect(publication.output == .default)
    let rebuild = d.send(.publicationFinished(sequence: 0, error: nil))
    #expect(
        rebuild == [
            .published(sequence: 0, rows: 4), .retireWorker(w1), .retireWorker(w2), .rebuildRing(new),
            .spawnWorker(WorkerID(3)), .spawnWorker(WorkerID(4)),
        ])
    #expect(rebuild.rebuilds.map(\.slotBytes) == [8 * 64 * 32 * new.output.pixelBytes])
    let later = d.startSpawned(rebuild).dispatches
    #expect(later.flatMap(\.batch.jobs).map(\.row) == [0, 1], "rows of the new ring")
    d.send(.inputExhausted)
    d.runToQuiet(later.map { .dispatch($0.worker, $0.batch) })
    #expect(d.history.publications.map(\.output) == [old.output, new.output])
    #expect(d.history.publications.map(\.sequence) == [0, 1])
    #expect(d.history.publications.flatMap(\.paths) == files.map(\.path))
    #expect(d.engine.isFinished)
}

@Test func aReloadWithTheSameOutputFormatKeepsTheShardOpen() {
    var settings = testSettings(shardSize: 8, workers: 1)
    settings.output = OutputFormat(dtype: .uint16, resize: .fit, padValue: 5)
    var d = EngineDriver(settings)
    d.startSpawned(d.send(.tick))
    let batch = d.send(.filesDiscovered(makeFiles(2))).firstBatch
    var same = settings
    same.batchSize = 3
    #expect(d.send(.reconfigure(same)).isEmpty)
    #expect(d.answer(w1, batch).publications.isEmpty, "the shard stays open: nothing about its rows changed")
    #expect(d.history.rebuilds.isEmpty)
}
