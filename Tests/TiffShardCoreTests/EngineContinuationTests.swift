import Testing

@testable import TiffShardCore

/// A one-shot run stopped after any shard and run again over the same files (the published manifests as its
/// ledger, `ManifestLedger.plan`) makes exactly the rows of an uninterrupted run, in the same order: what
/// `convert --partition` promises after a kill. Checked at every shard boundary, for `pages: first` and for
/// `pages: all` with multi-page files and a file that fails, over several window sizes.

/// Page counts and failures of a corpus: 0 pages means the file's first page is rejected.
private func corpus(_ count: Int, seed: UInt64) -> [(file: SourceFile, pages: Int)] {
    var random = SplitMix64(seed: seed)
    return makeFiles(count).map { file in
        let roll = Int(random.next() % 10)
        return (file, roll == 0 ? 0 : roll < 5 ? 1 : 1 + roll % 4)
    }
}

private func outcome(_ counts: [SourcePath: Int]) -> (DecodeJob) -> JobResult.Outcome {
    { job in
        let pages = counts[job.path] ?? 1
        if pages == 0 { return .rejected(Rejection(.decodeFailed, "broken")) }
        return .decoded(pagedInfo(job, pages: pages))
    }
}

/// The publications of one run over `files`, continuing `published` (shards of an earlier run).
private func run(
    _ settings: EngineSettings, _ files: [(file: SourceFile, pages: Int)], after published: [ShardPublication]
) -> [ShardPublication] {
    var ledger = ManifestLedger(present: Set(files.map(\.file.identity)))
    for shard in published {
        for row in shard.rows { ledger.add(row.source.identity, page: row.page, of: Int(row.info.pages)) }
    }
    let plan = ledger.plan(order: files.map(\.file.identity), pages: settings.output.pages)
    var d = EngineDriver(settings, firstSequence: published.count)
    var actions = d.send(.resume(plan.resume))
    actions += d.send(.filesDiscovered(files.map(\.file).filter { !plan.skipped.contains($0.identity) }))
    actions += d.send(.inputExhausted)
    let counts = Dictionary(uniqueKeysWithValues: files.map { ($0.file.path, $0.pages) })
    let all = d.runToQuiet(actions, outcome: outcome(counts))
    #expect(all.finished)
    return all.publications
}

@Test(arguments: [(1, 1), (2, 2), (2, 3), (3, 4)])
func aRunStoppedAfterAnyShardAndRunAgainMakesTheRowsOfAnUninterruptedRun(workers: Int, batchSize: Int) {
    for pages in [OutputFormat.Pages.first, .all] {
        for seed in [UInt64(1), 7, 42] {
            let settings = pagesSettings(shardSize: 3, ringSize: 3, workers: workers, batchSize: batchSize, pages: pages)
            let files = corpus(17, seed: seed)
            let whole = run(settings, files, after: [])
            let expected = whole.flatMap(\.pages)
            #expect(!expected.isEmpty)
            for cut in 1..<whole.count {
                let prefix = Array(whole[0..<cut])
                let rest = run(settings, files, after: prefix)
                #expect(
                    prefix.flatMap(\.pages) + rest.flatMap(\.pages) == expected,
                    "pages \(pages), seed \(seed), window \(workers * batchSize), cut after shard \(cut)")
                #expect(rest.first.map(\.sequence) ?? cut == cut, "numbering continues after the published shards")
            }
            // A run after the last shard publishes nothing.
            #expect(run(settings, files, after: whole).isEmpty)
        }
    }
}

@Test func aFilePublishedWholeAfterTheFirstCutOffFileKeepsItsPlaceWithoutARow() {
    var ledger = ManifestLedger(present: Set(makeFiles(4).map(\.identity)))
    let files = makeFiles(4)
    ledger.add(files[0].identity, page: 0, of: 1)  // whole, before the window: skipped
    ledger.add(files[1].identity, page: 0, of: 3)  // cut off: the window starts here
    ledger.add(files[2].identity, page: 0, of: 1)  // whole, in the window: a place holder
    let plan = ledger.plan(order: files.map(\.identity), pages: .all)
    #expect(plan.skipped == [files[0].identity])
    #expect(plan.resume == [
        files[1].identity: PublishedPages(count: 1, total: 3), files[2].identity: PublishedPages(count: 1, total: 1),
    ])
    let first = ledger.plan(order: files.map(\.identity), pages: .first)
    #expect(first.skipped == [files[0].identity, files[1].identity, files[2].identity])
    #expect(first.resume.isEmpty)
}
