/// What published manifests hold of the sources present at start-up, page by page: which sources are
/// published (disposed of without being read again, or remembered in `keep` mode) and which were cut off
/// between shards and resume at their first missing page.
///
/// A source is published when its page 0 is in a manifest (`pages: first`), or when all its pages
/// `0..<K` are (`pages: all`; K is the manifest's `"pages"`). A line without `"page"` (written before
/// pages existed, or with `pages: first`) holds page 0. Switching `first` to `all` over kept files therefore
/// adds their other pages; `all` to `first` counts a file whose page 0 is published as done.
///
/// Only identities in `present` are kept, so memory is bounded by the ingest directory, not by history.
public struct ManifestLedger: Sendable {
    /// Pages seen per source, and the page count the manifests gave.
    private var seen: [SourceIdentity: (pages: Set<Int>, total: Int)] = [:]
    private let present: Set<SourceIdentity>

    public init(present: Set<SourceIdentity>) {
        self.present = present
    }

    /// The manifest members this reads (the `page` key is part of the public manifest format).
    enum Key {
        static let page = "page"
    }

    /// Takes one manifest line; lines of other sources, or that do not parse, are ignored.
    public mutating func add(line: String) {
        guard let o = JSONObjectParser.parse(line), let path = o[ManifestRecord.Key.source]?.pathValue,
            let bytes = o[ManifestRecord.Key.bytes]?.intValue, let mtime = o[ManifestRecord.Key.mtimeNanoseconds]?.intValue
        else { return }
        let identity = SourceIdentity(relativePath: path, size: bytes, modificationTimeNanoseconds: mtime)
        guard present.contains(identity) else { return }
        let page = o[Key.page]?.intValue ?? 0
        let total = o[ManifestRecord.Key.pages]?.intValue ?? 1
        add(identity, page: Int(clamping: page), of: Int(clamping: total))
    }

    /// Records that page `page` of `identity`'s `total` pages is published.
    public mutating func add(_ identity: SourceIdentity, page: Int, of total: Int) {
        guard present.contains(identity), page >= 0 else { return }
        seen[identity, default: ([], 1)].pages.insert(page)
        seen[identity]!.total = max(seen[identity]!.total, total, 1)
    }

    /// What is published of `identity`: its pages from 0 without a gap (nil when page 0 is not).
    public func published(_ identity: SourceIdentity) -> PublishedPages? {
        guard let entry = seen[identity], entry.pages.contains(0) else { return nil }
        var count = 1
        while entry.pages.contains(count) { count += 1 }
        return PublishedPages(count: count, total: entry.total)
    }

    /// The sources that count as published for `pages`: the intake's ledger.
    public func complete(for pages: OutputFormat.Pages) -> [SourceIdentity] {
        seen.keys.filter { identity in
            guard let published = published(identity) else { return false }
            return pages == .first || published.isComplete
        }
    }

    /// The sources cut off between shards (`pages: all`): where each resumes. Empty for `pages: first`.
    public func resumable(for pages: OutputFormat.Pages) -> [SourceIdentity: PublishedPages] {
        guard pages == .all else { return [:] }
        var result: [SourceIdentity: PublishedPages] = [:]
        for identity in seen.keys {
            if let published = published(identity), !published.isComplete { result[identity] = published }
        }
        return result
    }
}

extension ManifestLedger {
    /// How a one-shot run over `order` (the files in the order they get rows: `convert`'s sorted list, or
    /// its partition) continues what earlier runs into the same shards published, making the rows an
    /// uninterrupted run would have made after the last published row.
    public struct ContinuationPlan: Equatable, Sendable {
        /// Sources published whole that take no part: left out of the run.
        public var skipped: Set<SourceIdentity>
        /// Sources the run is given with a resume point (the engine's `resume`): files cut off between shards
        /// continue at their first missing page; with `pages: all`, files published whole after the first one
        /// cut off keep their place in the window that decides the row order, without a row.
        public var resume: [SourceIdentity: PublishedPages]
    }

    /// The plan for `order` under `pages` (see `ContinuationPlan`).
    ///
    /// With `first` every published source is skipped. With `all`, the rows of the interrupted run were
    /// assigned in the engine's window order: the files whose first page got a row before the cut and that
    /// were still in the window are exactly the published ones from the first file cut off on (a file gets
    /// its other pages only as the oldest of the window, so every file before the first one cut off is
    /// complete, or failed). Those are given back to the engine in order, which rebuilds that window.
    public func plan(order: [SourceIdentity], pages: OutputFormat.Pages) -> ContinuationPlan {
        var plan = ContinuationPlan(skipped: [], resume: [:])
        var windowStarted = false
        for identity in order {
            guard let published = published(identity) else { continue }
            if pages == .all && !published.isComplete { windowStarted = true }
            if windowStarted {
                plan.resume[identity] = published
            } else if pages == .first || published.isComplete {
                plan.skipped.insert(identity)
            }
        }
        return plan
    }
}
