/// What is known about files before they reach the engine: the second pure state machine of the daemon.
///
/// The shell turns inotify events, directory scans and `lstat` results into ``Event``s and carries out
/// the returned ``Action``s; the engine only ever sees files the intake admitted. The intake owns:
/// - **settling**: a file found by a scan (start-up, overflow, periodic) is read only once nothing has
///   been writing to it (no `IN_MODIFY` since) and two looks a settle interval apart saw the same size
///   and mtime, never on a guess from mtime age; a file whose close or rename was observed is complete;
/// - **seen again**: a name observed while the engine holds it is looked at once its row is resolved
///   (the event may be for new content under the same name);
/// - **the ledger**: sources already in a published shard. At start-up it holds what earlier runs
///   published of the files present (disposed of without being read again); in `keep` mode it holds
///   published files still in place, and forgets a name once its file is gone or holds new content, so
///   it is bounded by the ingest directory, not by history (the manifests on disk are the record);
/// - rescan timing.
///
/// No syscalls and no clock: every event carries the monotonic time it happened at.
public struct Intake: Sendable {
    /// How the intake behaves: the daemon's continuous mode or `convert`'s one pass.
    public enum Mode: Equatable, Sendable {
        /// `tiffshard run`: settle, watch, rescan; `keepsSources` when published files stay in place.
        case daemon(keepsSources: Bool, settleInterval: Duration, rescanInterval: Duration?)
        /// `tiffshard convert`: admit everything the one scan finds, in path order; a file that changes
        /// while it is read is rejected (`changed`), not waited for.
        case oneShot
    }

    /// What a look at one path (`lstat`, and `stat` of a followed symlink) found.
    public enum Examination: Equatable, Sendable {
        /// A regular file with a TIFF name.
        case candidate(SourceFile)
        /// A TIFF name that cannot be ingested (FIFO, directory, symlink...).
        case rejected(SourceFile, Rejection)
        /// Gone, or not ours (wrong name, hidden).
        case absent(SourcePath)

        /// The path looked at.
        public var path: SourcePath {
            switch self {
            case .candidate(let file), .rejected(let file, _): file.relativePath
            case .absent(let path): path
            }
        }
    }

    /// What inotify said about a path.
    public enum Observation: Equatable, Sendable {
        /// Closed after writing, renamed in, or created complete (symlink, FIFO): look at it now.
        case complete
        /// Written to (`IN_MODIFY`): a writer is at work; wait for its close.
        case modified
    }

    /// Why a directory was listed: the whole ingest directory (start-up, after an overflow, periodically),
    /// or a subdirectory that just appeared (recursive mode; its listing is not the whole picture).
    public enum ScanCause: String, Equatable, Sendable {
        case startup, overflow, periodic, subdirectory
    }

    /// What happened outside.
    public enum Event: Equatable, Sendable {
        /// inotify reported `path`.
        case observed(SourcePath, Observation)
        /// A complete listing of the ingest directory, every entry examined, for `cause`.
        case scanned([Examination], cause: ScanCause)
        /// The answer to an ``Action/examine(_:)``.
        case examined(Examination)
        /// These sources are in a durable shard (and disposed of, unless kept).
        case published([SourceFile])
        /// A rejected source's quarantine is done (recorded, and moved unless one-shot).
        case quarantined(SourceFile)
        /// These sources changed after they were read (noticed by a worker or at disposal): their row
        /// is empty and their new content is not ingested yet.
        case changed([SourceFile])
        /// inotify's queue overflowed: events were lost.
        case overflow
        /// Time passed (the reactor's timer).
        case tick
        /// Shutdown started: admit nothing more.
        case stopping
    }

    /// What the shell must do.
    public enum Action: Equatable, Sendable {
        /// Look at `path` (`lstat`) and feed back ``Event/examined(_:)`` right away.
        case examine(SourcePath)
        /// Hand these files to the engine, in this order.
        case admit([SourceFile])
        /// Quarantine this file (feed back ``Event/quarantined(_:)`` when done).
        case reject(SourceFile, Rejection)
        /// These files were published by an earlier run: dispose of them without reading them again.
        case dispose([SourceFile])
        /// List the whole directory and feed back ``Event/scanned(_:cause:)``.
        case rescan(ScanCause)
    }

    /// Where one path stands.
    enum Entry: Equatable, Sendable {
        /// Found without a close or rename: admitted once a second look a settle interval after
        /// `lookedAt` sees the same identity (`look` nil: the first look is being taken).
        case settling(look: SourceIdentity?, lookedAt: Duration)
        /// A writer is at work (`IN_MODIFY` seen, no close yet).
        case writing
        /// Its look is being taken: admitted at once when `settled` (observed complete), otherwise it
        /// starts settling; nothing new when the look finds `unless` (the very file just published).
        case looking(settled: Bool, unless: SourceIdentity?)
        /// With the engine, or being quarantined; `seenAgain` when the name was observed meanwhile.
        case held(SourceFile, seenAgain: SeenAgain?)
    }

    /// How a name held by the engine was seen again: decides whether its next look settles first.
    enum SeenAgain: Equatable, Sendable {
        case complete, unsettled
    }

    public let mode: Mode
    var entries: [SourcePath: Entry] = [:]
    /// Published sources still in place, by path (see the type's documentation).
    var ledger: [SourcePath: SourceIdentity] = [:]
    var lastRescan: Duration
    var stopped = false

    /// A new intake; `ledger` is what published manifests hold of the files present at start-up.
    public init(mode: Mode, ledger: [SourceIdentity] = [], now: Duration) {
        self.mode = mode
        self.lastRescan = now
        for identity in ledger { self.ledger[identity.relativePath] = identity }
    }

    /// Feeds one event and returns the actions to carry out, in order.
    public mutating func handle(_ event: Event, now: Duration) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .observed(let path, let observation):
            observe(path, observation, into: &actions)
        case .scanned(let examinations, let cause):
            scanned(examinations, cause: cause, now: now, into: &actions)
        case .examined(let examination):
            examined(examination, now: now, into: &actions)
        case .published(let files):
            published(files, into: &actions)
        case .quarantined(let file):
            released(file, into: &actions)
        case .changed(let files):
            changed(files, now: now, into: &actions)
        case .overflow:
            if !stopped { actions.append(.rescan(.overflow)) }
        case .tick:
            tick(now: now, into: &actions)
        case .stopping:
            stopped = true
        }
        if stopped { actions.removeAll { if case .examine = $0 { true } else if case .admit = $0 { true } else { false } } }
        return coalesced(actions)
    }

    /// Paths the intake is tracking (settling, writing, held by the engine or being quarantined).
    public var trackedCount: Int { entries.count }
    /// Published sources the ledger remembers.
    public var ledgerCount: Int { ledger.count }

    /// A batch of inotify events as the intake should see it: a close or rename of a path followed, in
    /// the same batch, by a write to it is superseded (a new writer is at work: looking now would find
    /// its partial file). Everything else keeps its order.
    public static func superseded(_ events: [Event]) -> [Event] {
        var lastWrite: [SourcePath: Int] = [:]
        for (index, event) in events.enumerated() {
            if case .observed(let path, .modified) = event { lastWrite[path] = index }
        }
        guard !lastWrite.isEmpty else { return events }
        return events.enumerated().compactMap { index, event in
            if case .observed(let path, .complete) = event, let write = lastWrite[path], write > index { return nil }
            return event
        }
    }

    /// Merges consecutive `admit` actions so the engine gets one batch in order.
    private func coalesced(_ actions: [Action]) -> [Action] {
        var result: [Action] = []
        for action in actions {
            if case .admit(let more) = action, case .admit(let earlier)? = result.last {
                result[result.count - 1] = .admit(earlier + more)
            } else {
                result.append(action)
            }
        }
        return result
    }
}
