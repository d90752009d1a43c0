/// `pages: all`: every page of a file becomes its own row, and the file counts as done only with its last.
///
/// A file's first job decodes its first page (0, or where an earlier run stopped) and learns the page count
/// K from the result; its other pages then get rows and jobs of their own. The file stays known (neither
/// looked at again nor disposed of) until the row of its last page is durable: that row carries
/// `completesSource`, and since shards publish in sequence order and a file's pages get rows in page order,
/// every other page is durable by then.
///
/// **Row order is deterministic** (`convert` gives byte-identical shards for the same input): the first
/// pages of at most `expansionWindow` files are decoded ahead; the other pages of the oldest of them get rows
/// once the window is full (or no file is waiting), right after the first page of the file that filled it.
/// So the rows are: first pages of files 1…W, the other pages of file 1, the first page of file W+1, the
/// other pages of file 2, … whatever order the workers answer in. A file's pages are in page order, at most
/// about W rows apart; a single-page corpus keeps today's order and parallelism.
///
/// **A failing page fails the file**: a page rejected (decode failure, crash after its retries, timeout)
/// rejects the whole file with a reason naming the page (`page 2 of 5: decode failed: …`); its rows that are
/// not yet in a shard whose publication started are dropped, its other pages are not decoded. Rows already
/// published stay there (the manifests say which pages; the rejection record says why the rest is missing).
/// A page seen `changed` (or a page whose worker saw other content than the file's first page) drops the
/// file's unpublished rows the same way and has the file looked at again: its new content is a new source.
extension Engine {
    /// One file on its way into rows, page by page.
    struct Expansion: Equatable, Sendable {
        /// The file as admitted: rejections and re-examinations name it (the intake holds this identity).
        var admitted: SourceFile
        /// The file as its first decoded page found it: every row of the file records this identity.
        var file: SourceFile
        /// K, once a decoded page reported it (or from the manifests, for a resumed file).
        var pageCount: Int?
        /// The next page to get a row.
        var nextPage: Int
        /// Whether `file` is fixed (a page was decoded, or earlier runs published pages of this identity):
        /// a page whose worker observes another size or mtime saw changed content.
        var pinned: Bool

        /// Whether more pages need rows: the page count is unknown yet, or pages are left.
        var needsRows: Bool { pageCount.map { nextPage < $0 } ?? true }
    }

    /// How many files may have their first page decoded before the other pages of the oldest get rows: what
    /// the pool can hold at once, so a single-page corpus flows as it does with `pages: first`.
    var expansionWindow: Int { max(1, settings.workerCount * settings.batchSize) }

    /// Pages whose file's page count is known and that have no row yet.
    var pagesWaiting: Int {
        expanding.reduce(0) { sum, id in
            guard let e = expansions[id], let count = e.pageCount else { return sum }
            return sum + max(0, count - e.nextPage)
        }
    }

    /// Whether a file being expanded may still need rows (its page count is unknown, or pages are left).
    var expansionNeedsRows: Bool { expanding.contains { expansions[$0]?.needsRows ?? false } }

    /// The next job with `pages: all`, its row assigned; nil when nothing can get a row now.
    mutating func nextPageJob(now: Duration) -> Job? {
        while true {
            admitResumed()
            let waiting = pendingHead < pending.count && newRingSettings == nil
            while let id = expanding.first {
                guard let e = expansions[id], e.needsRows else {
                    expanding.removeFirst()  // failed, changed, published whole before, or all its pages have rows
                    continue
                }
                // The oldest file's other pages come once the window is full or nothing else waits (see above).
                guard let count = e.pageCount, expanding.count >= expansionWindow || !waiting else { break }
                guard let (slot, row) = assignRow(now: now, continuing: true) else { return nil }
                let job = Job(
                    id: nextJobID, file: e.admitted, slot: slot, row: row, attempts: 0, page: e.nextPage, expansion: id)
                nextJobID += 1
                expansions[id]!.nextPage += 1
                if expansions[id]!.nextPage >= count { expanding.removeFirst() }
                return job
            }
            guard waiting, expanding.count < expansionWindow else { return nil }
            // A resumed file next (the window had no room for it a moment ago): it enters without a row.
            if resumePoints[pending[pendingHead].identity] != nil { continue }
            guard let (slot, row) = assignRow(now: now) else { return nil }
            let file = pending[pendingHead]
            pendingHead += 1
            let id = nextExpansionID
            nextExpansionID += 1
            expansions[id] = Expansion(admitted: file, file: file, pageCount: nil, nextPage: 1, pinned: false)
            expanding.append(id)
            let job = Job(id: nextJobID, file: file, slot: slot, row: row, attempts: 0, page: 0, expansion: id)
            nextJobID += 1
            return job
        }
    }

    /// Files that earlier runs published pages of (`resume`) enter the window in their turn, as the run that
    /// published those pages left them: without a row now, their page count known, their next page the first
    /// missing one, waiting to be the oldest like any file whose first page was decoded. A file published
    /// whole (a resume point with every page) keeps its place in the window and gets no row at all.
    ///
    /// So a one-shot run that is given, in order, the files not published whole before the first file cut off,
    /// and a resume point for each published file from that one on, makes the rows an uninterrupted run would
    /// have made after the last published one (`ManifestLedger.plan(order:pages:)`): stopping and rerunning
    /// `convert` does not change the row order.
    mutating func admitResumed() {
        while pendingHead < pending.count, newRingSettings == nil, expanding.count < expansionWindow,
            let resumed = resumePoints.removeValue(forKey: pending[pendingHead].identity)
        {
            let file = pending[pendingHead]
            pendingHead += 1
            let id = nextExpansionID
            nextExpansionID += 1
            expanding.append(id)
            if resumed.isComplete {
                // Holds its place like a file that failed: no expansion, dropped when it is the oldest.
                known.remove(file.relativePath)
            } else {
                expansions[id] = Expansion(
                    admitted: file, file: file, pageCount: resumed.total, nextPage: resumed.count, pinned: true)
            }
        }
    }

    /// A page's result (`pages: all`).
    mutating func pageFinished(_ job: Job, _ id: UInt64, _ outcome: JobResult.Outcome, now: Duration,
                               into actions: inout [Action]) {
        guard var e = expansions[id] else {
            resolve(job, as: .rejected)  // the file failed or changed meanwhile: this row stays empty
            return
        }
        switch outcome {
        case .decoded(let info):
            unexplainedDeaths = 0
            var read = e.file
            if let observed = info.observed {
                read.size = observed.size
                read.modificationTimeNanoseconds = observed.modificationTimeNanoseconds
            }
            if e.pinned && read.identity != e.file.identity {
                // Another page saw other content: the pages would not be of one file. Start over on the new content.
                return fileChanged(job, id, Rejection(.changed, "modified while being read", page: page(job, e)),
                                   into: &actions)
            }
            e.file = read
            e.pinned = true
            if e.pageCount == nil { e.pageCount = max(1, Int(info.pages)) }
            expansions[id] = e
            let last = job.page >= e.pageCount! - 1
            resolve(job, as: .decoded(e.file, info, RowPage(page: job.page, expansion: id, completesSource: last)))
        case .rejected(let rejection) where rejection.category == .changed:
            fileChanged(job, id, rejection, into: &actions)
        case .rejected(let rejection) where rejection.isTransient && job.attempts < settings.maxAttempts:
            statistics.memoryRetries += 1
            retry(job, notBefore: now + Self.memoryRetryDelay(afterAttempt: job.attempts))
        case .rejected(let rejection):
            fileFailed(job, id, rejection, into: &actions)
        }
    }

    /// The page `job` is about, for a reason: named once the file is known to have more than one page.
    func page(_ job: Job, _ e: Expansion) -> SourcePage? {
        guard let count = e.pageCount, count > 1 else { return nil }
        return SourcePage(index: job.page, count: count)
    }

    /// Page `job` cannot be decoded: reject the whole file, naming the page.
    mutating func fileFailed(_ job: Job, _ id: UInt64, _ rejection: Rejection, into actions: inout [Action]) {
        resolve(job, as: .rejected)
        guard let e = abandon(id) else { return }
        var rejection = rejection
        rejection.page = page(job, e)
        statistics.countRejection(rejection)
        actions.append(.reject(e.admitted, rejection))
    }

    /// The file changed under a page: drop its unpublished rows and have it looked at again.
    mutating func fileChanged(_ job: Job, _ id: UInt64, _ rejection: Rejection, into actions: inout [Action]) {
        resolve(job, as: .rejected)
        guard let e = abandon(id) else { return }
        actions.append(.reexamine(e.admitted, rejection))
    }

    /// Forgets expansion `id`: its waiting retries and its rows not yet in a shard whose publication started
    /// are dropped (rows on workers are dropped as they come back), its other pages get no row. Its place in
    /// `expanding` is left to `nextPageJob`, which drops it at the head: the window then counts the same
    /// files whenever the failure is heard, which keeps the row order deterministic.
    mutating func abandon(_ id: UInt64) -> Expansion? {
        guard let e = expansions.removeValue(forKey: id) else { return nil }
        for job in retries where job.expansion == id {
            jobs[job.id] = nil
            resolve(job, as: .rejected)
        }
        retries.removeAll { $0.expansion == id }
        // A slot with a sequence number has been handed to the publisher (maybe written already): it keeps
        // its rows. Earlier pages of the file can only be there or in shards already published.
        for s in slots.indices where slots[s].sequence == nil {
            for r in slots[s].rows.indices {
                if case .decoded(_, _, let page) = slots[s].rows[r], page.expansion == id { slots[s].rows[r] = .rejected }
            }
        }
        known.remove(e.admitted.relativePath)
        return e
    }

    /// Whether `job` belongs to a file that failed or changed meanwhile (its row is to stay empty).
    func isAbandoned(_ job: Job) -> Bool {
        if let id = job.expansion { return expansions[id] == nil }
        return false
    }

    /// Shutdown: the files being expanded get no more rows. A file whose last page has no row stays in the
    /// ingest directory, not disposed of; the next start resumes it at its first page not published.
    /// (Its page count is left alone: only the row of its real last page may complete it.)
    mutating func stopExpanding() {
        for id in expanding {
            if let e = expansions[id] { known.remove(e.admitted.relativePath) }
        }
        expanding.removeAll()
    }
}
