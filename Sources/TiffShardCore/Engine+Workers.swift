/// Workers: dispatch, results, crashes, time limits, respawn with backoff.
extension Engine {
    enum WorkerPhase: Equatable, Sendable {
        case starting, idle, busy
    }

    struct Worker: Equatable, Sendable {
        var phase: WorkerPhase = .starting
        /// Job ids of the current batch not yet answered, in the order the worker processes them.
        var remaining: [UInt64] = []
        /// When the worker started on its current image (dispatch or previous result).
        var currentSince: Duration = .zero
        var killedForTimeout = false
        /// The job that was running when the worker was killed for taking too long.
        var timedOutJob: UInt64?
        var retiring = false
        /// Whether the worker was ever given a batch (a worker dying before that failed to start).
        var everDispatched = false
        var spawnedAt: Duration = .zero
    }

    /// Workers that die this many times in a row right after starting, before any work, mean the worker
    /// cannot run at all (missing library, sandbox, broken binary): stop instead of looping.
    static let startupFailureLimit = 5

    /// Dispatches, seals, publishes, spawns and finishes as far as the state allows.
    mutating func pump(now: Duration, into actions: inout [Action]) {
        spawnWorkers(now: now, into: &actions)
        dispatch(now: now, into: &actions)
        sealIfDue(now: now)
        publishIfReady(now: now, into: &actions)
        // No new ring when stopping: nothing would use it.
        if pendingSettings != nil, !shuttingDown, ringIsEmpty, inFlightCount == 0, retries.isEmpty {
            applyNewRing(into: &actions)
            spawnWorkers(now: now, into: &actions)
            dispatch(now: now, into: &actions)
        }
        finishIfDone(into: &actions)
    }

    var desiredWorkers: Int {
        if pendingSettings != nil { return retries.isEmpty && inFlightCount == 0 ? 0 : settings.workerCount }
        if shuttingDown || inputExhausted { return queuedCount > 0 || inFlightCount > 0 ? settings.workerCount : 0 }
        return settings.workerCount
    }

    mutating func spawnWorkers(now: Duration, into actions: inout [Action]) {
        while workers.values.filter({ !$0.retiring }).count < desiredWorkers, now >= spawnNotBefore {
            let id = WorkerID(nextWorkerID)
            nextWorkerID += 1
            workers[id] = Worker(spawnedAt: now)
            actions.append(.spawnWorker(id))
        }
    }

    mutating func dispatch(now: Duration, into actions: inout [Action]) {
        // A worker being killed for a timeout may still answer (and go idle) before it dies: give it nothing new.
        var idle = workers.filter { $0.value.phase == .idle && !$0.value.retiring && !$0.value.killedForTimeout }
            .map(\.key).sorted()
        // Workers still starting get their share too, so a small backlog is spread over the whole pool.
        let starting = workers.values.filter { $0.phase == .starting && !$0.retiring }.count
        while !idle.isEmpty, queuedCount > 0 {
            let id = idle.removeFirst()
            let sharers = idle.count + 1 + starting
            let share = (queuedCount + sharers - 1) / sharers
            let size = max(1, min(settings.batchSize, share))
            var batch: [Job] = []
            while batch.count < size, !retries.isEmpty { batch.append(retries.removeFirst()) }
            while batch.count < size, pendingHead < pending.count, let (slot, row) = assignRow(now: now) {
                let job = Job(id: nextJobID, file: pending[pendingHead], slot: slot, row: row, attempts: 0)
                nextJobID += 1
                pendingHead += 1
                jobs[job.id] = job
                batch.append(job)
            }
            if pendingHead == pending.count { pending.removeAll(keepingCapacity: true); pendingHead = 0 }
            guard !batch.isEmpty else { break }
            for i in batch.indices { batch[i].attempts += 1; jobs[batch[i].id] = batch[i] }
            workers[id]!.phase = .busy
            workers[id]!.everDispatched = true
            workers[id]!.remaining = batch.map(\.id)
            workers[id]!.currentSince = now
            actions.append(.dispatch(id, DecodeBatch(
                width: UInt32(settings.width), height: UInt32(settings.height), interpolation: settings.interpolation,
                maxPixels: settings.maxPixels,
                jobs: batch.map { DecodeJob(id: $0.id, slot: UInt32($0.slot), row: UInt32($0.row), path: $0.file.relativePath) })))
        }
    }

    mutating func jobFinished(_ id: WorkerID, _ result: JobResult, now: Duration, into actions: inout [Action]) {
        guard var worker = workers[id], let index = worker.remaining.firstIndex(of: result.jobID),
            let job = jobs.removeValue(forKey: result.jobID)
        else { return }
        worker.remaining.remove(at: index)
        worker.currentSince = now
        if worker.remaining.isEmpty && worker.phase == .busy { worker.phase = .idle }
        workers[id] = worker
        if worker.phase == .idle, workers.count > settings.workerCount, pendingSettings == nil {
            workers[id] = nil  // the worker count was lowered by a reload: retire this one now it is free
            actions.append(.retireWorker(id))
        }
        switch result.outcome {
        case .decoded(let info):
            consecutiveCrashes = 0
            // The manifest records the file as the worker read it (it may differ from what was admitted).
            var file = job.file
            if let observed = info.observed {
                file.size = observed.size
                file.modificationTimeNanoseconds = observed.modificationTimeNanoseconds
            }
            resolve(job, as: .decoded(file, info))
        case .rejected(let reason) where reason.hasPrefix(JobResult.changedPrefix):
            // Rewritten while being read: not a bad file. Its row stays empty; look at it again later.
            resolve(job, as: .rejected)
            known.remove(job.file.relativePath)
            actions.append(.reexamine(job.file, reason: reason))
        case .rejected(let reason):
            reject(job, reason: reason, into: &actions)
        }
    }

    mutating func reject(_ job: Job, reason: String, into actions: inout [Action]) {
        resolve(job, as: .rejected)
        known.remove(job.file.relativePath)
        statistics.countRejection(reason)
        actions.append(.reject(job.file, reason: reason))
    }

    mutating func workerGone(_ id: WorkerID, status: String, signal: Int32?, now: Duration, into actions: inout [Action]) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        if worker.retiring && worker.remaining.isEmpty { return }
        statistics.workerCrashes += 1
        consecutiveCrashes += 1
        if !worker.everDispatched && now - worker.spawnedAt < .seconds(5) {
            startupFailures += 1
            if startupFailures == Self.startupFailureLimit {
                actions.append(.fatal("workers exit right after starting (\(status)), \(startupFailures) times in a row"))
            }
        } else {
            startupFailures = 0
        }
        // Back off when workers keep dying: 0 s for the first crash, then 0.25 s doubling up to 30 s.
        if consecutiveCrashes > 1 {
            let ms = min(30_000, 250 << min(consecutiveCrashes - 2, 7))
            spawnNotBefore = now + .milliseconds(ms)
        }
        // Workers process a batch in order, so the first unanswered job is the one that was running.
        for (position, jobID) in worker.remaining.enumerated() {
            guard let job = jobs[jobID] else { continue }
            if jobID == worker.timedOutJob {
                jobs[jobID] = nil
                let limit = settings.decodeTimeout.map { " after \($0.components.seconds) s" } ?? ""
                reject(job, reason: "decode timed out\(limit)", into: &actions)
            } else if position == 0 && job.attempts >= settings.maxAttempts {
                jobs[jobID] = nil
                reject(job, reason: "decoder crashed (\(status))", into: &actions)
            } else {
                var retry = job
                if position != 0 { retry.attempts -= 1 }  // it never started: this try does not count
                jobs[jobID] = retry
                retries.append(retry)
            }
        }
        retries.sort { ($0.slot, $0.row) < ($1.slot, $1.row) }
    }

    mutating func checkTimeouts(now: Duration, into actions: inout [Action]) {
        guard let limit = settings.decodeTimeout else { return }
        for (id, worker) in workers.sorted(by: { $0.key < $1.key })
        where worker.phase == .busy && !worker.killedForTimeout && now - worker.currentSince > limit {
            workers[id]!.killedForTimeout = true
            workers[id]!.timedOutJob = worker.remaining.first
            actions.append(.killWorker(id, reason: "decode of one image took longer than \(limit.components.seconds) s"))
        }
    }

    mutating func reconfigure(_ new: EngineSettings, into actions: inout [Action]) {
        if settings.needsNewRing(new) {
            pendingSettings = new
            if let s = fillingSlot { seal(s) }
            return
        }
        // The latest configuration wins: a reload back to the current geometry cancels a pending rebuild.
        pendingSettings = nil
        settings = new
        // Fewer workers: retire idle ones now; busy ones are retired as the count is re-checked.
        var surplus = workers.values.filter { !$0.retiring }.count - new.workerCount
        for (id, worker) in workers.sorted(by: { $0.key > $1.key }) where surplus > 0 && worker.phase != .busy {
            workers[id]!.retiring = true
            workers[id] = nil
            actions.append(.retireWorker(id))
            surplus -= 1
        }
    }

    mutating func applyNewRing(into actions: inout [Action]) {
        guard let new = pendingSettings else { return }
        for id in workers.keys.sorted() { actions.append(.retireWorker(id)) }
        workers.removeAll()
        settings = new
        pendingSettings = nil
        slots = Array(repeating: Slot(), count: new.ringSize)
        fillingSlot = nil
        sealedOrder.removeAll()
        actions.append(.rebuildRing(new))
    }

    mutating func finishIfDone(into actions: inout [Action]) {
        guard !finishedEmitted, shuttingDown || inputExhausted, queuedCount == 0, inFlightCount == 0, ringIsEmpty
        else { return }
        for id in workers.keys.sorted() { actions.append(.retireWorker(id)) }
        workers.removeAll()
        finishedEmitted = true
        actions.append(.finished)
    }
}
