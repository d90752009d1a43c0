/// Workers: dispatch, results, crashes, time limits, respawn with backoff.
extension Engine {
    /// What a worker is doing; the jobs it holds travel with the state that holds them.
    enum WorkerState: Equatable, Sendable {
        /// Spawned, not yet reported started.
        case starting
        /// Ready for a batch. `hasWorked`: it was given a batch before (so a death now is not a start-up failure).
        case idle(hasWorked: Bool)
        /// Processing a batch: the job ids not yet answered, in the order the worker processes them, and
        /// since when it works on the current one (dispatch or previous result).
        case busy(remaining: [UInt64], currentSince: Duration)
        /// Killed because one image took too long; `job` was running then. It may still answer (a result
        /// already on its way) but gets nothing new.
        case killedForTimeout(job: UInt64?, remaining: [UInt64])

        /// The job ids dispatched to the worker and not yet answered.
        var remaining: [UInt64] {
            switch self {
            case .starting, .idle: []
            case .busy(let remaining, _), .killedForTimeout(_, let remaining): remaining
            }
        }

        /// Whether the worker was ever given a batch (a worker dying before that failed to start).
        var hasWorked: Bool {
            switch self {
            case .starting: false
            case .idle(let hasWorked): hasWorked
            case .busy, .killedForTimeout: true
            }
        }
    }

    struct Worker: Equatable, Sendable {
        var state: WorkerState = .starting
        var spawnedAt: Duration = .zero
    }

    /// Workers that die this many times in a row right after starting, before any work, mean the worker
    /// cannot run at all (missing library, sandbox, broken binary): stop instead of looping.
    static let startupFailureLimit = 5

    /// Delay before a file whose decode killed its worker is tried again, by the attempts it has had:
    /// none after the first, then 0.25 s doubling up to 30 s. Only that file waits; others keep flowing.
    static func crashRetryDelay(afterAttempt attempts: Int) -> Duration {
        attempts <= 1 ? .zero : .milliseconds(min(30_000, 250 << min(attempts - 2, 7)))
    }

    /// Delay before a file whose decode ran out of memory is tried again: 1 s doubling up to 30 s, so
    /// the retry does not meet the same pressure (e.g. a burst of large images on every worker) at once.
    static func memoryRetryDelay(afterAttempt attempts: Int) -> Duration {
        .seconds(min(30, 1 << min(max(attempts - 1, 0), 5)))
    }

    /// Delay before respawning after `deaths` worker deaths in a row that no file explains (no job was
    /// running): none for the first, then 0.25 s doubling up to 30 s.
    static func respawnDelay(afterDeaths deaths: Int) -> Duration {
        deaths <= 1 ? .zero : .milliseconds(min(30_000, 250 << min(deaths - 2, 7)))
    }

    /// Dispatches, seals, publishes, spawns and finishes as far as the state allows.
    mutating func pump(now: Duration, into actions: inout [Action]) {
        spawnWorkers(now: now, into: &actions)
        dispatch(now: now, into: &actions)
        sealIfDue(now: now)
        publishIfReady(now: now, into: &actions)
        if let new = newRingSettings, ringIsEmpty, inFlightCount == 0, retries.isEmpty, !expansionNeedsRows {
            applyNewRing(new, into: &actions)
            spawnWorkers(now: now, into: &actions)
            dispatch(now: now, into: &actions)
        }
        finishIfDone(into: &actions)
    }

    var desiredWorkers: Int {
        if newRingSettings != nil {
            return retries.isEmpty && inFlightCount == 0 && !expansionNeedsRows ? 0 : settings.workerCount
        }
        if isWindingDown { return queuedCount > 0 || inFlightCount > 0 ? settings.workerCount : 0 }
        return settings.workerCount
    }

    mutating func spawnWorkers(now: Duration, into actions: inout [Action]) {
        while workers.count < desiredWorkers, now >= spawnNotBefore {
            let id = WorkerID(nextWorkerID)
            nextWorkerID += 1
            workers[id] = Worker(spawnedAt: now)
            actions.append(.spawnWorker(id))
        }
    }

    /// Files (pages) that could go to a worker now: pending ones, retries whose delay has passed, and pages of
    /// files being expanded (some of which may have to wait for their turn).
    func readyCount(now: Duration) -> Int {
        pending.count - pendingHead + retries.count { $0.notBefore <= now } + pagesWaiting
    }

    mutating func dispatch(now: Duration, into actions: inout [Action]) {
        var idle = workers.filter { if case .idle = $0.value.state { true } else { false } }.map(\.key).sorted()
        // Workers still starting get their share too, so a small backlog is spread over the whole pool.
        let starting = workers.values.count { $0.state == .starting }
        while !idle.isEmpty, readyCount(now: now) > 0 {
            let id = idle.removeFirst()
            let sharers = idle.count + 1 + starting
            let share = (readyCount(now: now) + sharers - 1) / sharers
            let size = max(1, min(settings.batchSize, share))
            var batch: [Job] = []
            while batch.count < size, let due = retries.firstIndex(where: { $0.notBefore <= now }) {
                batch.append(retries.remove(at: due))
            }
            if settings.output.pages == .all {
                while batch.count < size, let job = nextPageJob(now: now) {
                    jobs[job.id] = job
                    batch.append(job)
                }
            } else {
                while batch.count < size, pendingHead < pending.count, let (slot, row) = assignRow(now: now) {
                    let job = Job(id: nextJobID, file: pending[pendingHead], slot: slot, row: row, attempts: 0)
                    nextJobID += 1
                    pendingHead += 1
                    jobs[job.id] = job
                    batch.append(job)
                }
            }
            if pendingHead == pending.count { pending.removeAll(keepingCapacity: true); pendingHead = 0 }
            guard !batch.isEmpty else { break }
            for i in batch.indices { batch[i].attempts += 1; jobs[batch[i].id] = batch[i] }
            workers[id]!.state = .busy(remaining: batch.map(\.id), currentSince: now)
            actions.append(.dispatch(id, DecodeBatch(
                width: UInt32(settings.width), height: UInt32(settings.height), interpolation: settings.interpolation,
                maxPixels: settings.maxPixels, output: settings.output, readAheadBytes: settings.readAheadBytes,
                jobs: batch.map {
                    DecodeJob(id: $0.id, slot: UInt32($0.slot), row: UInt32($0.row), path: $0.file.relativePath,
                              page: UInt32($0.page))
                })))
        }
    }

    mutating func jobFinished(_ id: WorkerID, _ result: JobResult, now: Duration, into actions: inout [Action]) {
        guard var worker = workers[id], let index = worker.state.remaining.firstIndex(of: result.jobID),
            let job = jobs.removeValue(forKey: result.jobID)
        else { return }
        switch worker.state {
        case .busy(var remaining, _):
            remaining.remove(at: index)
            worker.state = remaining.isEmpty ? .idle(hasWorked: true) : .busy(remaining: remaining, currentSince: now)
        case .killedForTimeout(let running, var remaining):
            remaining.remove(at: index)
            worker.state = .killedForTimeout(job: running, remaining: remaining)
        case .starting, .idle:
            break
        }
        workers[id] = worker
        if case .idle = worker.state, workers.count > settings.workerCount, newRingSettings == nil {
            workers[id] = nil  // the worker count was lowered by a reload: retire this one now it is free
            actions.append(.retireWorker(id))
        }
        if let expansion = job.expansion { return pageFinished(job, expansion, result.outcome, now: now, into: &actions) }
        switch result.outcome {
        case .decoded(let info):
            unexplainedDeaths = 0
            // The manifest records the file as the worker read it (it may differ from what was admitted).
            var file = job.file
            if let observed = info.observed {
                file.size = observed.size
                file.modificationTimeNanoseconds = observed.modificationTimeNanoseconds
            }
            resolve(job, as: .decoded(file, info, .only))
        case .rejected(let rejection) where rejection.category == .changed:
            // Rewritten while being read: not a bad file. Its row stays empty; look at it again later.
            resolve(job, as: .rejected)
            known.remove(job.file.relativePath)
            actions.append(.reexamine(job.file, rejection))
        case .rejected(let rejection) where rejection.isTransient && job.attempts < settings.maxAttempts:
            // The decoder hit the worker's memory limit: not proof that the file is bad. Try it again later
            // (it keeps its row); only after `maxAttempts` such failures is it quarantined as out-of-memory.
            statistics.memoryRetries += 1
            retry(job, notBefore: now + Self.memoryRetryDelay(afterAttempt: job.attempts))
        case .rejected(let rejection):
            reject(job, rejection, into: &actions)
        }
    }

    /// Puts `job` back in the queue (it keeps its row), to be dispatched no earlier than `notBefore`.
    mutating func retry(_ job: Job, notBefore: Duration) {
        var again = job
        again.notBefore = max(job.notBefore, notBefore)
        jobs[again.id] = again
        retries.append(again)
        retries.sort { ($0.slot, $0.row) < ($1.slot, $1.row) }
    }

    mutating func reject(_ job: Job, _ rejection: Rejection, into actions: inout [Action]) {
        if let expansion = job.expansion { return fileFailed(job, expansion, rejection, into: &actions) }
        resolve(job, as: .rejected)
        known.remove(job.file.relativePath)
        statistics.countRejection(rejection)
        actions.append(.reject(job.file, rejection))
    }

    mutating func workerGone(_ id: WorkerID, _ exit: WorkerExit, now: Duration, into actions: inout [Action]) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        statistics.workerCrashes += 1
        if !worker.state.hasWorked && now - worker.spawnedAt < .seconds(5) {
            startupFailures += 1
            if startupFailures == Self.startupFailureLimit {
                actions.append(.fatal(.workersCannotStart(lastExit: exit, times: startupFailures)))
            }
        } else {
            startupFailures = 0
        }
        // A death while a job ran is that file's doing: the file waits (per file, by its attempts), the
        // replacement starts at once. A death with no job running explains nothing: back off respawning.
        let remaining = worker.state.remaining
        if remaining.isEmpty {
            unexplainedDeaths += 1
            spawnNotBefore = max(spawnNotBefore, now + Self.respawnDelay(afterDeaths: unexplainedDeaths))
        } else {
            unexplainedDeaths = 0
        }
        let timedOut: UInt64? = if case .killedForTimeout(let job, _) = worker.state { job } else { nil }
        // Workers process a batch in order, so the first unanswered job is the one that was running.
        for (position, jobID) in remaining.enumerated() {
            guard var job = jobs.removeValue(forKey: jobID) else { continue }
            if isAbandoned(job) {
                resolve(job, as: .rejected)  // its file failed or changed meanwhile: nothing to retry
            } else if jobID == timedOut {
                let limit = settings.decodeTimeout.map { "after \($0.components.seconds) s" } ?? ""
                reject(job, Rejection(.timeout, limit), into: &actions)
            } else if position == 0 && job.attempts >= settings.maxAttempts {
                reject(job, Rejection(.crashed, "\(exit)"), into: &actions)
            } else if position == 0 {
                retry(job, notBefore: now + Self.crashRetryDelay(afterAttempt: job.attempts))
            } else {
                job.attempts -= 1  // it never started: this try does not count
                retry(job, notBefore: now)
            }
        }
    }

    mutating func checkTimeouts(now: Duration, into actions: inout [Action]) {
        guard let limit = settings.decodeTimeout else { return }
        for (id, worker) in workers.sorted(by: { $0.key < $1.key }) {
            guard case .busy(let remaining, let since) = worker.state, now - since > limit else { continue }
            workers[id]!.state = .killedForTimeout(job: remaining.first, remaining: remaining)
            actions.append(.killWorker(id, reason: .decodeTimeout(limit)))
        }
    }

    mutating func reconfigure(_ new: EngineSettings, into actions: inout [Action]) {
        if settings.needsNewRing(new) {
            // Winding down, a new ring would never be used: keep the one we have.
            guard case .accepting = lifecycle else { return }
            lifecycle = .accepting(newRing: new)
            // Files half expanded into pages finish under the current format first (sealIfDue seals after them).
            if let s = fillingSlot, !expansionNeedsRows { seal(s) }
            return
        }
        // The latest configuration wins: a reload back to the current geometry cancels a pending rebuild.
        if case .accepting = lifecycle { lifecycle = .accepting(newRing: nil) }
        settings = new
        // Fewer workers: retire those not holding jobs now; busy ones are retired as they become idle.
        var surplus = workers.count - new.workerCount
        for (id, worker) in workers.sorted(by: { $0.key > $1.key }) where surplus > 0 && worker.state.remaining.isEmpty {
            if case .killedForTimeout = worker.state { continue }
            workers[id] = nil
            actions.append(.retireWorker(id))
            surplus -= 1
        }
    }

    mutating func applyNewRing(_ new: EngineSettings, into actions: inout [Action]) {
        for id in workers.keys.sorted() { actions.append(.retireWorker(id)) }
        workers.removeAll()
        settings = new
        lifecycle = .accepting(newRing: nil)
        expanding.removeAll()  // only files whose pages all have rows are left (the ring waited for them)
        slots = Array(repeating: Slot(), count: new.ringSize)
        fillingSlot = nil
        sealedOrder.removeAll()
        actions.append(.rebuildRing(new))
    }

    mutating func finishIfDone(into actions: inout [Action]) {
        guard lifecycle == .inputExhausted || lifecycle == .shuttingDown, queuedCount == 0, inFlightCount == 0,
            ringIsEmpty
        else { return }
        for id in workers.keys.sorted() { actions.append(.retireWorker(id)) }
        workers.removeAll()
        lifecycle = .finished
        actions.append(.finished)
    }
}
