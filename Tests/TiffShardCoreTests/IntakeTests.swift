import Testing

@testable import TiffShardCore

/// A file as a look at it would find it.
private func file(_ name: String, size: Int64 = 100, mtime: Int64 = 1) -> SourceFile {
    SourceFile(relativePath: SourcePath(name), size: size, modificationTimeNanoseconds: mtime)
}

private let settle: Duration = .seconds(1)

private func daemon(keep: Bool = false, rescan: Duration? = nil, ledger: [SourceIdentity] = []) -> Intake {
    Intake(mode: .daemon(keepsSources: keep, settleInterval: settle, rescanInterval: rescan), ledger: ledger, now: .zero)
}

extension [Intake.Action] {
    var admitted: [SourcePath] {
        flatMap { (action: Intake.Action) -> [SourcePath] in
            if case .admit(let files) = action { return files.map(\.relativePath) }
            return []
        }
    }
    var examined: [SourcePath] { compactMap { if case .examine(let p) = $0 { p } else { nil } } }
}

@Test func aFileClosedAfterWritingIsAdmittedAtOnce() {
    var intake = daemon()
    let a = file("a.tif")
    #expect(intake.handle(.observed("a.tif", .modified), now: .zero).isEmpty, "a writer at work: wait for its close")
    #expect(intake.handle(.observed("a.tif", .complete), now: .zero) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(a)), now: .zero) == [.admit([a])])
    #expect(intake.trackedCount == 1, "held until published")
    #expect(intake.handle(.published([a]), now: .seconds(1)).isEmpty)
    #expect(intake.trackedCount == 0)
}

@Test func aScannedFileIsReadOnlyAfterTwoEqualLooksASettleIntervalApart() {
    var intake = daemon()
    let a = file("a.tif")
    #expect(intake.handle(.scanned([.candidate(a)], cause: .startup), now: .zero).isEmpty, "first look")
    #expect(intake.handle(.tick, now: .milliseconds(900)).isEmpty)
    #expect(intake.handle(.tick, now: .seconds(1)) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(a)), now: .seconds(1)) == [.admit([a])])
}

@Test func aScannedFileThatChangesBetweenLooksSettlesAgain() {
    var intake = daemon()
    #expect(intake.handle(.scanned([.candidate(file("a.tif", size: 10))], cause: .periodic), now: .zero).isEmpty)
    _ = intake.handle(.tick, now: .seconds(1))
    #expect(intake.handle(.examined(.candidate(file("a.tif", size: 20))), now: .seconds(1)).isEmpty, "it grew")
    #expect(intake.handle(.tick, now: .milliseconds(1500)).isEmpty, "the new look is only half a settle old")
    #expect(intake.handle(.tick, now: .seconds(2)) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(file("a.tif", size: 20))), now: .seconds(2)).admitted == ["a.tif"])
}

/// The bug the intake exists for: a writer pausing longer than the settle interval while a rescan
/// (overflow or periodic) lists its half-written file. An mtime-age guess reads it truncated.
@Test func aPausedWriterSeenByAPeriodicRescanIsNotReadUntilItCloses() {
    var intake = daemon(rescan: .seconds(5))
    let partial = file("slow.tif", size: 4096, mtime: 1)
    _ = intake.handle(.observed("slow.tif", .modified), now: .zero)
    // The writer pauses; its mtime is long past any settle interval when the rescan lists it.
    #expect(intake.handle(.tick, now: .seconds(5)) == [.rescan(.periodic)])
    #expect(intake.handle(.scanned([.candidate(partial)], cause: .periodic), now: .seconds(5)).isEmpty)
    for second in 6...20 {
        let actions = intake.handle(.tick, now: .seconds(second))
        #expect(actions.admitted.isEmpty && actions.examined.isEmpty, "still being written at \(second) s")
    }
    let whole = file("slow.tif", size: 9000, mtime: 2)
    #expect(intake.handle(.observed("slow.tif", .complete), now: .seconds(21)) == [.examine("slow.tif")])
    #expect(intake.handle(.examined(.candidate(whole)), now: .seconds(21)) == [.admit([whole])])
}

@Test func afterAnOverflowAWriterWhoseCloseWasLostSettles() {
    var intake = daemon()
    _ = intake.handle(.observed("a.tif", .modified), now: .zero)
    #expect(intake.handle(.overflow, now: .zero) == [.rescan(.overflow)])
    let a = file("a.tif")
    #expect(intake.handle(.scanned([.candidate(a)], cause: .overflow), now: .zero).isEmpty)
    #expect(intake.handle(.tick, now: .seconds(1)) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(a)), now: .seconds(1)) == [.admit([a])])
}

@Test func aNameSeenAgainWhileHeldIsLookedAtOnceItsShardIsPublished() {
    var intake = daemon()
    let old = file("a.tif", mtime: 1)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(old)), now: .zero)
    #expect(intake.handle(.observed("a.tif", .complete), now: .zero) == [.examine("a.tif")], "only its type, now")
    #expect(intake.handle(.examined(.candidate(file("a.tif", mtime: 2))), now: .zero).isEmpty, "held: not now")
    #expect(intake.handle(.published([old]), now: .seconds(1)) == [.examine("a.tif")])
    let new = file("a.tif", mtime: 2)
    #expect(intake.handle(.examined(.candidate(new)), now: .seconds(1)) == [.admit([new])])
}

@Test func theVeryFileJustPublishedIsNotIngestedTwice() {
    var intake = daemon()
    let a = file("a.tif")
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(a)), now: .zero)
    _ = intake.handle(.scanned([.candidate(a)], cause: .overflow), now: .zero)
    #expect(intake.handle(.published([a]), now: .zero) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(a)), now: .zero).isEmpty, "kept or not disposed of: the same file")
    #expect(intake.trackedCount == 0)
}

@Test func startupDisposesOfSourcesAnEarlierRunPublished() {
    let a = file("a.tif"), b = file("b.tif")
    var intake = daemon(ledger: [a.identity, file("gone.tif").identity])
    #expect(intake.handle(.scanned([.candidate(b), .candidate(a)], cause: .startup), now: .zero) == [.dispose([a])])
    #expect(intake.ledgerCount == 0, "move/delete: only start-up needs the ledger")
}

@Test func keepModeLedgerIsBoundedByTheIngestDirectory() {
    var intake = daemon(keep: true)
    let a = file("a.tif")
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(a)), now: .zero)
    _ = intake.handle(.published([a]), now: .zero)
    #expect(intake.ledgerCount == 1)
    #expect(intake.handle(.scanned([.candidate(a)], cause: .periodic), now: .seconds(1)).isEmpty, "published, kept")
    _ = intake.handle(.tick, now: .seconds(5))
    #expect(intake.trackedCount == 0)
    // The user removes it: the ledger forgets it at the next listing.
    #expect(intake.handle(.scanned([], cause: .periodic), now: .seconds(6)).isEmpty)
    #expect(intake.ledgerCount == 0)
    // New content under a published name is new.
    _ = intake.handle(.observed("a.tif", .complete), now: .seconds(7))
    let again = file("a.tif", mtime: 5)
    #expect(intake.handle(.examined(.candidate(again)), now: .seconds(7)) == [.admit([again])])
}

@Test func aSourceChangedWhileReadSettlesAndIsReadAgain() {
    var intake = daemon()
    let a = file("a.tif", size: 10)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(a)), now: .zero)
    #expect(intake.handle(.changed([a]), now: .zero) == [.examine("a.tif")])
    let b = file("a.tif", size: 20)
    #expect(intake.handle(.examined(.candidate(b)), now: .zero).isEmpty, "first look of the new content")
    #expect(intake.handle(.tick, now: .seconds(1)) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(b)), now: .seconds(1)) == [.admit([b])])
}

@Test func oneShotAdmitsEverythingInOrderAndRejectsWhatChanged() {
    var intake = Intake(mode: .oneShot, now: .zero)
    let a = file("a.tif"), b = file("b.tif"), fifo = file("c.tif")
    let rejection = Rejection(.notRegular, "FIFO")
    let actions = intake.handle(.scanned([.candidate(a), .rejected(fifo, rejection), .candidate(b)], cause: .startup), now: .zero)
    #expect(actions == [.admit([a]), .reject(fifo, rejection), .admit([b])])
    #expect(intake.handle(.changed([a]), now: .zero) == [.reject(a, Rejection(.changed, "modified while being read"))])
    #expect(intake.handle(.tick, now: .seconds(100)).isEmpty)
}

@Test func aQuarantinedNameSeenAgainIsLookedAt() {
    var intake = daemon()
    let fifo = file("f.tif")
    _ = intake.handle(.observed("f.tif", .complete), now: .zero)
    let rejection = Rejection(.notRegular, "FIFO")
    #expect(intake.handle(.examined(.rejected(fifo, rejection)), now: .zero) == [.reject(fifo, rejection)])
    _ = intake.handle(.observed("f.tif", .complete), now: .zero)
    #expect(intake.handle(.quarantined(fifo), now: .zero) == [.examine("f.tif")])
}

@Test func nothingIsAdmittedOnceStopping() {
    var intake = daemon()
    _ = intake.handle(.stopping, now: .zero)
    #expect(intake.handle(.observed("a.tif", .complete), now: .zero).isEmpty)
    #expect(intake.handle(.scanned([.candidate(file("b.tif"))], cause: .periodic), now: .zero).isEmpty)
    #expect(intake.handle(.overflow, now: .zero).isEmpty)
}

@Test func periodicRescansAreTimedFromTheLastListing() {
    var intake = daemon(rescan: .seconds(10))
    #expect(intake.handle(.tick, now: .seconds(9)).isEmpty)
    #expect(intake.handle(.tick, now: .seconds(10)) == [.rescan(.periodic)])
    _ = intake.handle(.scanned([], cause: .periodic), now: .seconds(10))
    #expect(intake.handle(.tick, now: .seconds(15)).isEmpty)
    _ = intake.handle(.scanned([], cause: .overflow), now: .seconds(15))
    #expect(intake.handle(.tick, now: .seconds(21)).isEmpty, "an overflow rescan counts")
    #expect(intake.handle(.tick, now: .seconds(25)) == [.rescan(.periodic)])
}

@Test func aFIFOSwappedInForAHeldFileIsQuarantinedAtOnce() {
    var intake = daemon()
    let a = file("a.tif")
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(a)), now: .zero)
    #expect(intake.handle(.observed("a.tif", .complete), now: .zero) == [.examine("a.tif")])
    let fifo = file("a.tif", size: 0, mtime: 7)
    let rejection = Rejection(.notRegular, "FIFO")
    #expect(intake.handle(.examined(.rejected(fifo, rejection)), now: .zero) == [.reject(fifo, rejection)])
    #expect(intake.handle(.quarantined(fifo), now: .zero).isEmpty, "the FIFO's quarantine does not release the row")
    #expect(intake.trackedCount == 1)
    // The engine's row is then rejected (the file it admitted is gone): released, nothing more to look at.
    #expect(intake.handle(.quarantined(a), now: .zero).isEmpty)
    #expect(intake.trackedCount == 0)
}

@Test func newRegularContentUnderAHeldNameWaitsForTheRow() {
    var intake = daemon()
    let a = file("a.tif", mtime: 1)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(a)), now: .zero)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    let b = file("a.tif", mtime: 2)
    #expect(intake.handle(.examined(.candidate(b)), now: .zero).isEmpty, "not while the engine holds the name")
    #expect(intake.handle(.published([a]), now: .zero) == [.examine("a.tif")])
    #expect(intake.handle(.examined(.candidate(b)), now: .zero) == [.admit([b])])
}

/// Found by the simulation: a shard's disposal finds a row's name holding newer content, which the
/// intake had already admitted. The late "changed" (and "published") for the old content must not
/// admit the newer content a second time.
@Test func aLateChangeOfOldContentDoesNotReadmitTheNewContentAlreadyHeld() {
    var intake = daemon()
    let old = file("a.tif", mtime: 1), new = file("a.tif", mtime: 2)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    _ = intake.handle(.examined(.candidate(old)), now: .zero)
    _ = intake.handle(.published([old]), now: .zero)
    _ = intake.handle(.observed("a.tif", .complete), now: .zero)
    #expect(intake.handle(.examined(.candidate(new)), now: .zero) == [.admit([new])])
    #expect(intake.handle(.changed([old]), now: .zero).isEmpty)
    #expect(intake.handle(.published([old]), now: .zero).isEmpty)
    #expect(intake.trackedCount == 1, "the new content is still held")
    #expect(intake.handle(.tick, now: .seconds(5)).isEmpty)
}
