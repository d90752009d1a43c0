/// Rows, slots and publication: how files become rows of shards and shards become files.
extension Engine {
    /// One page of a file on its way into a shard row.
    struct Job: Equatable, Sendable {
        var id: UInt64
        /// The file as admitted (what rejections and re-examinations name).
        var file: SourceFile
        var slot: Int
        var row: Int
        /// Times it was handed to a worker (a try that never started does not count).
        var attempts: Int
        /// A retry is not dispatched before this time (per-file backoff after a crash or out of memory).
        var notBefore: Duration = .zero
        /// The page to decode (0 unless `pages: all`).
        var page = 0
        /// The file's expansion into pages (`pages: all`), nil otherwise.
        var expansion: UInt64? = nil
    }

    /// Which page of its source a decoded row holds.
    struct RowPage: Equatable, Sendable {
        var page: Int
        /// The source's expansion (`pages: all`), nil otherwise.
        var expansion: UInt64?
        /// Whether it is the source's last page: its publication completes the source.
        var completesSource: Bool

        /// The one row of a source with `pages: first`.
        static let only = RowPage(page: 0, expansion: nil, completesSource: true)
    }

    enum RowState: Equatable, Sendable {
        case inFlight
        case decoded(SourceFile, SourceInfo, RowPage)
        case rejected
    }

    enum SlotPhase: Equatable, Sendable {
        case free
        case filling
        /// No more rows will be assigned; published once no row is in flight.
        case sealed
        case publishing
        /// The last publication failed; retry at this time.
        case waitingToRetry(Duration)
    }

    /// One ring segment and the rows assigned to it.
    struct Slot: Equatable, Sendable {
        var phase: SlotPhase = .free
        var rows: [RowState] = []
        var inFlight = 0
        var openedAt: Duration = .zero
        var sequence: Int?
        var attempt = 0
    }

    /// Gives the next free row, opening a slot if needed; nil means backpressure (or no new rows allowed).
    /// While a new ring waits, only the remaining pages of files already being expanded get rows (`continuing`):
    /// a file is converted under one format.
    mutating func assignRow(now: Duration, continuing: Bool = false) -> (slot: Int, row: Int)? {
        guard newRingSettings == nil || continuing else { return nil }
        if fillingSlot == nil {
            guard let free = slots.firstIndex(where: { $0.phase == .free }) else { return nil }
            slots[free] = Slot(phase: .filling, rows: [], inFlight: 0, openedAt: now)
            fillingSlot = free
        }
        let s = fillingSlot!
        let row = slots[s].rows.count
        slots[s].rows.append(.inFlight)
        slots[s].inFlight += 1
        if slots[s].rows.count == settings.shardSize { seal(s) }
        return (s, row)
    }

    /// Stops assigning rows to slot `s`; it is published when its last row resolves.
    mutating func seal(_ s: Int) {
        guard slots[s].phase == .filling else { return }
        slots[s].phase = .sealed
        sealedOrder.append(s)
        if fillingSlot == s { fillingSlot = nil }
    }

    /// Seals the filling slot when it is full, idle or old enough (or when we are winding down).
    mutating func sealIfDue(now: Duration) {
        guard let s = fillingSlot, !slots[s].rows.isEmpty else { return }
        let idle = queuedCount == 0 && (settings.idleFlush.map { now - lastArrival >= $0 } ?? false)
        let old = settings.maxShardAge.map { now - slots[s].openedAt >= $0 } ?? false
        // Rows still to come for files being expanded (`pages: all`) keep the shard open, so a file's pages
        // are not split over shards by the end of the input, an idle spell or a reload.
        let expanding = expansionNeedsRows
        let rebuilding = newRingSettings != nil && !expanding
        let draining = isWindingDown && queuedCount == 0 && !expanding
        if (idle && !expanding) || old || draining || rebuilding { seal(s) }
    }

    /// Records a row's outcome.
    mutating func resolve(_ job: Job, as state: RowState) {
        slots[job.slot].rows[job.row] = state
        slots[job.slot].inFlight -= 1
    }

    /// Emits the next publication, strictly in seal order, one at a time.
    mutating func publishIfReady(now: Duration, into actions: inout [Action]) {
        while publishing == nil, let s = sealedOrder.first, slots[s].inFlight == 0 {
            if case .waitingToRetry(let at) = slots[s].phase, now < at { return }
            let rows: [ShardPublication.Row] = slots[s].rows.enumerated().compactMap { index, state in
                guard case .decoded(let file, let info, let page) = state else { return nil }
                return ShardPublication.Row(
                    physicalRow: index, source: file, info: info, page: page.page, completesSource: page.completesSource)
            }
            if rows.isEmpty {  // every row was rejected: nothing to write, no sequence number used
                sealedOrder.removeFirst()
                slots[s] = Slot()
                continue
            }
            if slots[s].sequence == nil {
                slots[s].sequence = nextSequence
                nextSequence += 1
            }
            slots[s].attempt += 1
            slots[s].phase = .publishing
            publishing = s
            actions.append(.publish(ShardPublication(
                sequence: slots[s].sequence!, slot: s, width: settings.width, height: settings.height,
                output: settings.output, rows: rows, attempt: slots[s].attempt)))
        }
    }

    mutating func publicationFinished(_ sequence: Int, error: PublicationError?, now: Duration, into actions: inout [Action]) {
        guard let s = publishing, slots[s].sequence == sequence else { return }
        publishing = nil
        if let error {
            statistics.publicationFailures += 1
            statistics.lastPublicationError = error
            // Exponential backoff, 1 s to 30 s: the disk may be full; the shard stays in memory and
            // the ring fills up, which pauses dispatch (backpressure) until space returns.
            let delay = Duration.seconds(min(30, 1 << min(slots[s].attempt - 1, 5)))
            slots[s].phase = .waitingToRetry(now + delay)
            return
        }
        statistics.lastPublicationError = nil
        var count = 0
        for case .decoded(let file, _, let page) in slots[s].rows {
            // A file with pages in later shards stays known (not looked at again, not disposed of) until its last.
            if page.completesSource {
                statistics.sourcesCompleted += 1
                known.remove(file.relativePath)
                if let expansion = page.expansion { expansions[expansion] = nil }
            }
            count += 1
        }
        statistics.imagesPublished += count
        statistics.shardsPublished += 1
        sealedOrder.removeFirst()
        slots[s] = Slot()
        actions.append(.published(sequence: sequence, rows: count))
    }

    /// Whether no slot holds rows and no publication is outstanding.
    var ringIsEmpty: Bool { publishing == nil && slots.allSatisfy { $0.phase == .free } }

    /// The earliest time a sealed slot may be retried, if one is waiting.
    public var nextRetryTime: Duration? {
        slots.compactMap { if case .waitingToRetry(let at) = $0.phase { return at } else { return nil } }.min()
    }
}
