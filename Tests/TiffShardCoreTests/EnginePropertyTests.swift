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
        // Whatever the file, its worker may also crash under it (twice: rejected) or hang past the timeout.
        let external: Set = [
            "decoder crashed (signal 11)", "decoder crashed (signal 9)", "decode timed out after 30 s",
        ]
        let own: String? =
            switch sim.kinds[file.path]! {
            case .good, .slow: nil
            case .bad: "not a TIFF: bad signature"
            case .crashes: "decoder crashed (signal 11)"
            case .outOfMemory: "out of memory: allocation failed"
            case .hangs: "decode timed out after 30 s"
            }
        #expect(reasons.allSatisfy { $0 == own || external.contains($0) }, "\(file.path): \(reasons)")
        if own != nil { #expect(published == 0, "\(file.path) cannot be decoded") }
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
}

@Test(arguments: Array(UInt64(1001)...1040))
func randomInterleavingsOfADaemonWithShutdownLoseNothing(seed: UInt64) {
    var sim = EngineSimulation(seed: seed, fileCount: 200, daemon: true)
    sim.run()
    checkOutcome(sim)
}

/// `pages: all` over single-page files: the same promises, through the expansion window, and through reloads
/// that switch `pages` (and so rebuild the ring) while files are on workers.
@Test(arguments: Array(UInt64(2001)...2030))
func randomInterleavingsWithAllPagesPublishEveryFileExactlyOnce(seed: UInt64) {
    var sim = EngineSimulation(seed: seed, fileCount: 200, daemon: seed % 2 == 0, pages: .all)
    sim.run()
    checkOutcome(sim)
}

/// The simulation is only worth something if it reaches the hard paths; check that it does, over a few seeds.
@Test func simulationsReachTimeoutsCrashesFailuresAndReloads() {
    var timeouts = 0
    var crashes = 0
    var publicationFailures = 0
    var rebuilds = 0
    var lateResults = 0
    for seed in UInt64(1)...20 {
        var sim = EngineSimulation(seed: seed, fileCount: 200, daemon: seed % 2 == 0)
        sim.run()
        timeouts += sim.rejectedReasons.values.filter { $0 == ["decode timed out after 30 s"] }.count
        crashes += sim.d.engine.statistics.workerCrashes
        publicationFailures += sim.d.engine.statistics.publicationFailures
        rebuilds += sim.d.history.rebuilds.count
        lateResults +=
            sim.files.filter { sim.currentAtKill.contains($0.path) && sim.publishedCount[$0.path] == 1 }.count
    }
    #expect(timeouts > 10)
    #expect(crashes > 50)
    #expect(publicationFailures > 20)
    #expect(rebuilds > 2)
    #expect(lateResults > 2, "results that arrive after the kill")
}
