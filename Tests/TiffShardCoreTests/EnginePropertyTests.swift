import Testing

@testable import TiffShardCore

/// Checks the end state of a simulation: exactly once, in order, consecutive sequence numbers.
private func checkOutcome(_ sim: EngineSimulation) {
    #expect(sim.problems.isEmpty, "\(sim.problems.joined(separator: "\n"))")
    guard sim.problems.isEmpty else { return }
    let e = sim.d.engine
    #expect(e.isFinished)
    #expect(sim.publishedSequences == Array(sim.firstSequence..<(sim.firstSequence + sim.publishedSequences.count)))
    #expect(e.nextSequence == sim.firstSequence + sim.publishedSequences.count)
    for file in sim.files {
        let published = sim.publishedCount[file.path] ?? 0
        let rejected = sim.rejectedReasons[file.path]?.count ?? 0
        if sim.dispatchedOnce.contains(file.path) || !sim.daemon {
            #expect(published + rejected == 1, "\(file.path): published \(published)x, rejected \(rejected)x")
        } else {
            // Daemon stopped before this file got a row: it stays in the ingest directory, untouched.
            #expect(published + rejected == 0, "\(file.path) was never dispatched")
        }
        #expect(!e.isKnown(file.path))
        let reasons = sim.rejectedReasons[file.path] ?? []
        if reasons.contains("decode timed out after 30 s") {
            #expect(sim.currentAtKill.contains(file.path), "\(file.path) timed out but was not the image being decoded")
        }
        switch sim.kinds[file.path]! {
        case .good, .slow: #expect(reasons.allSatisfy { $0 == "decoder crashed (signal 11)" || $0 == "decode timed out after 30 s" })
        case .bad: #expect(published == 0 && reasons.allSatisfy { $0 == "not a TIFF: bad signature" })
        case .crashes: #expect(published == 0 && reasons.allSatisfy { $0 == "decoder crashed (signal 11)" })
        case .hangs:
            // A hung decode is killed after the timeout, unless a random crash of its worker gets there first.
            #expect(published == 0 && reasons.allSatisfy { $0 == "decode timed out after 30 s" || $0 == "decoder crashed (signal 11)" })
        }
    }
    // Rows follow discovery order, across shards, retries and ring rebuilds.
    let order = Dictionary(uniqueKeysWithValues: sim.files.enumerated().map { ($1.path, $0) })
    let positions = sim.publishedOrder.map { order[$0]! }
    #expect(positions == positions.sorted(), "published rows are in discovery order")
    #expect(e.statistics.imagesPublished == sim.publishedOrder.count)
    #expect(e.statistics.shardsPublished == sim.publishedSequences.count)
    #expect(e.statistics.rejected == sim.rejectedReasons.values.map(\.count).reduce(0, +))
    #expect(e.queuedCount == 0 && e.inFlightCount == 0)
}

@Test(arguments: Array(UInt64(1)...40))
func randomInterleavingsOfConvertPublishEveryFileExactlyOnce(seed: UInt64) {
    var sim = EngineSimulation(seed: seed, fileCount: 200, daemon: false)
    sim.run()
    checkOutcome(sim)
    #expect(sim.publishedOrder.count > 100, "most files are good and get published")
    #expect(sim.rejectedReasons.values.contains { $0 == ["decode timed out after 30 s"] }, "the simulation exercises timeouts")
    #expect(sim.d.engine.statistics.publicationFailures > 0, "the simulation exercises failing publications")
    #expect(sim.d.engine.statistics.workerCrashes > 0)
}

@Test(arguments: Array(UInt64(1001)...1040))
func randomInterleavingsOfADaemonWithShutdownLoseNothing(seed: UInt64) {
    var sim = EngineSimulation(seed: seed, fileCount: 200, daemon: true)
    sim.run()
    checkOutcome(sim)
}
