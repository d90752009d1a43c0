import Testing

@testable import TiffShardCore

private func identity(_ name: String, mtime: Int64 = 1) -> SourceIdentity {
    SourceIdentity(relativePath: SourcePath(name), size: 100, modificationTimeNanoseconds: mtime)
}

/// A manifest line as the shard writer writes it; `page` nil leaves the member out (older manifests).
private func line(_ id: SourceIdentity, page: Int?, pages: Int) -> String {
    var line = ManifestRecord(
        row: 0, source: id, info: SourceInfo(width: 1, height: 1, bitsPerSample: 8, channels: 1, pages: UInt32(pages))
    ).encoded()
    if let page { line.removeLast(); line += #", "page": \#(page)}"# }
    return line
}

@Test func aFileIsPublishedOnlyWithEveryPageAndOtherwiseResumesAtItsFirstMissingPage() {
    let whole = identity("whole.tif"), cut = identity("cut.tif"), single = identity("single.tif")
    var ledger = ManifestLedger(present: [whole, cut, single])
    for page in 0..<3 { ledger.add(line: line(whole, page: page, pages: 3)) }
    for page in 0..<2 { ledger.add(line: line(cut, page: page, pages: 5)) }
    ledger.add(line: line(single, page: nil, pages: 1))
    #expect(Set(ledger.complete(for: .all)) == [whole, single])
    #expect(ledger.resumable(for: .all) == [cut: PublishedPages(count: 2, total: 5)])
    // With `pages: first`, page 0 is the whole of a file.
    #expect(Set(ledger.complete(for: .first)) == [whole, cut, single])
    #expect(ledger.resumable(for: .first).isEmpty)
}

@Test func aLineWithoutPageHoldsPage0AndSourcesNotPresentAreNotKept() {
    let kept = identity("kept.tif"), gone = identity("gone.tif"), rewritten = identity("kept.tif", mtime: 2)
    var ledger = ManifestLedger(present: [kept])
    // Written with `pages: first` (no "page"): a five-page file of which page 0 is published.
    ledger.add(line: line(kept, page: nil, pages: 5))
    ledger.add(line: line(gone, page: 0, pages: 1))
    ledger.add(line: line(rewritten, page: 0, pages: 1))
    ledger.add(line: "not json")
    #expect(ledger.complete(for: .first) == [kept])
    #expect(ledger.complete(for: .all).isEmpty, "switching to all pages adds the other four")
    #expect(ledger.resumable(for: .all) == [kept: PublishedPages(count: 1, total: 5)])
    #expect(ledger.published(gone) == nil && ledger.published(rewritten) == nil)
}

@Test func pagesAfterAGapAreNotCountedAndAMissingPage0MeansNothingIsPublished() {
    let gap = identity("gap.tif"), late = identity("late.tif")
    var ledger = ManifestLedger(present: [gap, late])
    for page in [0, 1, 3] { ledger.add(gap, page: page, of: 4) }
    ledger.add(late, page: 2, of: 3)
    #expect(ledger.published(gap) == PublishedPages(count: 2, total: 4))
    #expect(ledger.published(late) == nil)
    #expect(ledger.complete(for: .all).isEmpty)
    #expect(ledger.complete(for: .first) == [gap])
}
