/// Files that already have a line in the rejection log and are still in the ingest directory, unchanged.
///
/// Quarantining a file is two steps, append a record to `failures.jsonl`, then move the file to the
/// failed directory. A kill between the two leaves the file in the ingest directory, and the next run
/// rejects it again. These identities (source, size, mtime) let that run move it without a second
/// record. Only records whose file is still there, with the same size and mtime, are kept, so the set is
/// bounded by the ingest directory, not by the log's history.
public struct RecordedRejections: Sendable {
    private var identities: Set<SourceIdentity> = []

    public init() {}

    /// Collects the identities named by `lines` (rejection log lines) whose file `current(source)` still
    /// finds with the same size and mtime (`current` returns nil for a file that is gone).
    public init(lines: some Sequence<String>, current: (SourcePath) -> ObservedFile?) {
        var seen: [SourcePath: ObservedFile?] = [:]
        for line in lines {
            guard let identity = RejectionRecord.identity(parsing: line) else { continue }
            let now: ObservedFile?
            if let known = seen[identity.relativePath] {
                now = known
            } else {
                now = current(identity.relativePath)
                seen[identity.relativePath] = now
            }
            if let now, now.size == identity.size, now.modificationTimeNanoseconds == identity.modificationTimeNanoseconds {
                identities.insert(identity)
            }
        }
    }

    /// How many files are remembered.
    public var count: Int { identities.count }

    /// Whether `identity` already has a record.
    public func contains(_ identity: SourceIdentity) -> Bool { identities.contains(identity) }

    /// Remembers a record just written for a file that is (still) in the ingest directory.
    public mutating func insert(_ identity: SourceIdentity) { identities.insert(identity) }

    /// Forgets a file once it has left the ingest directory.
    public mutating func remove(_ identity: SourceIdentity) { identities.remove(identity) }
}
