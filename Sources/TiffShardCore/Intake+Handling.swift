/// The intake's transitions: observations, looks, scans, and what comes back from the engine.
extension Intake {
    var keepsSources: Bool {
        if case .daemon(let keeps, _, _) = mode { return keeps }
        return false
    }

    var settleInterval: Duration {
        if case .daemon(_, let interval, _) = mode { return interval }
        return .zero
    }

    mutating func observe(_ path: SourcePath, _ observation: Observation, into actions: inout [Action]) {
        if case .held(let file, _) = entries[path] {
            // The engine has this name: look again once its row is resolved (it may be new content).
            entries[path] = .held(file, seenAgain: observation == .complete ? .complete : .unsettled)
            // Something complete was put in its place: if it is not a regular file (a FIFO, a directory),
            // quarantine it now, before a worker opens it for the row it still holds.
            if observation == .complete { actions.append(.examine(path)) }
            return
        }
        switch observation {
        case .modified:
            entries[path] = .writing
        case .complete:
            entries[path] = .looking(settled: true, unless: nil)
            actions.append(.examine(path))
        }
    }

    mutating func examined(_ examination: Examination, now: Duration, into actions: inout [Action]) {
        let path = examination.path
        switch entries[path] {
        case .held(let file, _):
            // A look while the engine holds the name: only a non-regular entry is decided now (its type
            // cannot change by writing); new regular content is looked at once the row is resolved.
            if case .rejected(let other, let rejection) = examination {
                entries[path] = .held(file, seenAgain: nil)
                actions.append(.reject(other, rejection))
            }
        case .writing:
            return  // a newer sighting decides
        case .looking(let settled, let unless):
            if case .candidate(let file) = examination, file.identity == unless {
                entries[path] = nil  // the file just published is still there (kept, or not disposed of)
            } else if settled || !examination.isCandidate {
                decide(examination, into: &actions)
            } else {
                entries[path] = .settling(look: examination.identity, lookedAt: now)
            }
        case .settling(let look, _):
            if case .candidate(let file) = examination, let look, file.identity == look {
                decide(examination, into: &actions)
            } else if examination.isCandidate {
                entries[path] = .settling(look: examination.identity, lookedAt: now)
            } else {
                decide(examination, into: &actions)
            }
        case nil:
            return  // nothing asked for this look any more (decided meanwhile): a stale answer
        }
    }

    /// The file at `examination.path` is complete (or its type is known): admit, reject, dispose or forget.
    mutating func decide(_ examination: Examination, into actions: inout [Action]) {
        let path = examination.path
        switch examination {
        case .candidate(let file):
            if let published = ledger[path], published == file.identity {
                entries[path] = nil
                if !keepsSources { actions.append(.dispose([file])) }
                return
            }
            ledger[path] = nil  // new content under a published name
            entries[path] = .held(file, seenAgain: nil)
            actions.append(.admit([file]))
        case .rejected(let file, let rejection):
            entries[path] = .held(file, seenAgain: nil)
            actions.append(.reject(file, rejection))
        case .absent:
            entries[path] = nil
            ledger[path] = nil
        }
    }

    mutating func scanned(_ examinations: [Examination], cause: ScanCause, now: Duration, into actions: inout [Action]) {
        var present: Set<SourcePath> = []
        for examination in examinations {
            if case .absent = examination { continue }
            present.insert(examination.path)
            scannedOne(examination, cause: cause, now: now, into: &actions)
        }
        guard cause != .subdirectory else { return }
        lastRescan = now
        // What the listing does not show is gone: forget it (this is what bounds the ledger in keep mode).
        for (path, entry) in entries where !present.contains(path) {
            switch entry {
            case .settling, .writing: entries[path] = nil
            case .held, .looking: break
            }
        }
        for path in ledger.keys where !present.contains(path) { ledger[path] = nil }
        // Only start-up recovery needs the ledger when published sources leave the ingest directory.
        if cause == .startup && !keepsSources { ledger.removeAll() }
    }

    private mutating func scannedOne(_ examination: Examination, cause: ScanCause, now: Duration, into actions: inout [Action]) {
        let path = examination.path
        switch entries[path] {
        case .held(let file, let seen):
            // Maybe a new file under the name (its events lost in an overflow): look once it is resolved.
            entries[path] = .held(file, seenAgain: seen ?? .unsettled)
        case .writing:
            // After an overflow its close may have been lost: fall back to settling.
            if cause == .overflow, examination.isCandidate {
                entries[path] = .settling(look: examination.identity, lookedAt: now)
            }
        case .settling(let look, let lookedAt):
            guard examination.isCandidate else { return decide(examination, into: &actions) }
            if let look, look == examination.identity {
                if now - lookedAt >= settleInterval { decide(examination, into: &actions) }
            } else {
                entries[path] = .settling(look: examination.identity, lookedAt: now)
            }
        case .looking:
            break  // its look is on the way
        case nil:
            let published = examination.identity.map { ledger[path] == $0 } ?? false
            if mode == .oneShot || published || !examination.isCandidate {
                decide(examination, into: &actions)
            } else {
                entries[path] = .settling(look: examination.identity, lookedAt: now)
            }
        }
    }

    mutating func published(_ files: [SourceFile], into actions: inout [Action]) {
        for file in files {
            let path = file.relativePath
            // Newer content under the name is already with the engine: this publication is not about it.
            if case .held(let held, _) = entries[path], held.identity != file.identity { continue }
            if keepsSources { ledger[path] = file.identity }
            guard case .held(_, let seen) = entries[path] else { continue }
            if let seen {
                entries[path] = .looking(settled: seen == .complete, unless: file.identity)
                actions.append(.examine(path))
            } else {
                entries[path] = nil
            }
        }
    }

    /// A rejected file's quarantine is done: forget it, or look again if its name was seen meanwhile.
    /// The quarantine of something else under a held name (a FIFO swapped in) releases nothing.
    mutating func released(_ file: SourceFile, into actions: inout [Action]) {
        let path = file.relativePath
        guard case .held(let held, let seen) = entries[path], held.identity == file.identity else { return }
        if let seen {
            entries[path] = .looking(settled: seen == .complete, unless: nil)
            actions.append(.examine(path))
        } else {
            entries[path] = nil
        }
    }

    mutating func changed(_ files: [SourceFile], now: Duration, into actions: inout [Action]) {
        for file in files {
            let path = file.relativePath
            // A change noticed on older content whose newer content the engine already holds: nothing to do.
            if case .held(let held, _) = entries[path], held.identity != file.identity { continue }
            if mode == .oneShot {
                // One pass only: a source rewritten while we read it is reported, not waited for.
                entries[path] = .held(file, seenAgain: nil)
                actions.append(.reject(file, Rejection(.changed, "modified while being read")))
                continue
            }
            // A writer is at work: complete once its close is seen, or once it has settled.
            if case .held(_, .complete?) = entries[path] {
                entries[path] = .looking(settled: true, unless: nil)
            } else if case .writing = entries[path] {
                continue  // its close will come
            } else {
                entries[path] = .settling(look: nil, lookedAt: now)
            }
            actions.append(.examine(path))
        }
    }

    mutating func tick(now: Duration, into actions: inout [Action]) {
        guard !stopped, case .daemon(_, let settle, let rescanInterval) = mode else { return }
        var due: [SourcePath] = []
        for (path, entry) in entries {
            if case .settling(.some, let lookedAt) = entry, now - lookedAt >= settle { due.append(path) }
        }
        // Second looks in name order, as a scan would admit them.
        for path in due.sorted() { actions.append(.examine(path)) }
        if let rescanInterval, now - lastRescan >= rescanInterval {
            lastRescan = now
            actions.append(.rescan(.periodic))
        }
    }
}

extension Intake.Examination {
    public var isCandidate: Bool {
        if case .candidate = self { return true }
        return false
    }

    /// The candidate's identity (nil for rejections and absences).
    public var identity: SourceIdentity? {
        if case .candidate(let file) = self { return file.identity }
        return nil
    }
}
