import Testing

@testable import TiffShardCore

/// The random moves of the simulated world.
extension EngineSimulation {
    /// Runs until the engine finishes (or a step limit proves it never will).
    mutating func run(maxSteps: Int = 200_000) {
        var steps = 0
        while !d.engine.isFinished && steps < maxSteps && problems.isEmpty {
            steps += 1
            step()
        }
        if !d.engine.isFinished {
            problem(
                "not finished after \(steps) steps: \(d.engine.queuedCount) queued, \(d.engine.inFlightCount) in flight"
            )
        }
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    /// Picks one enabled move at random, weighted.
    mutating func step() {
        var moves: [(weight: Double, move: (inout EngineSimulation) -> Void)] = []
        if discoveredCount < files.count { moves.append((3, { $0.discoverChunk() })) }
        if discoveredCount > 0 { moves.append((0.3, { $0.rediscover() })) }
        if discoveredCount == files.count && !exhaustedSent && !daemon { moves.append((1, { $0.exhaustInput() })) }
        if discoveredCount > 0 && !shutdownSent && daemon { moves.append((0.02, { $0.requestShutdown() })) }
        let ids = workers.keys.sorted()
        for id in ids {
            let w = workers[id]!
            if !w.started && !w.killed { moves.append((3, { $0.start(id) })) }
            if w.killed { moves.append((3, { $0.exitKilled(id) })) }
            if w.started && !w.killed, let job = w.queue.first,
                kinds[job.path] == .good || kinds[job.path] == .bad || kinds[job.path] == .crashes
            {
                moves.append((10, { $0.answer(id) }))
            }
            if w.started && !w.queue.isEmpty && !w.killed { moves.append((0.05, { $0.crash(id, signal: 11) })) }
        }
        if publishing != nil { moves.append((4, { $0.finishPublication() })) }
        if reconfigurations < 4 { moves.append((0.04, { $0.reconfigure() })) }
        moves.append((1.5, { $0.passTime() }))

        let total = moves.reduce(0) { $0 + $1.weight }
        var pick = Double.random(in: 0..<total, using: &rng)
        for (weight, move) in moves {
            if pick < weight {
                move(&self)
                return
            }
            pick -= weight
        }
        moves.last!.move(&self)
    }

    mutating func exhaustInput() {
        exhaustedSent = true
        send(.inputExhausted)
    }

    mutating func requestShutdown() {
        shutdownSent = true
        send(.shutdownRequested)
    }

    mutating func discoverChunk() {
        let n = min(files.count - discoveredCount, Int.random(in: 1...25, using: &rng))
        let chunk = Array(files[discoveredCount..<(discoveredCount + n)])
        discoveredCount += n
        send(.filesDiscovered(chunk))
    }

    /// A rescan that sees files again that are not yet resolved (the daemon disposes of resolved ones first).
    mutating func rediscover() {
        let again = files[0..<discoveredCount].filter { !resolved.contains($0.path) }.shuffled(using: &rng).prefix(5)
        send(.filesDiscovered(Array(again)))
    }

    mutating func start(_ id: WorkerID) {
        if chance(0.05) {
            workers[id] = nil
            send(
                chance(0.5)
                    ? .workerSpawnFailed(id, WorkerSpawnError(detail: "EAGAIN")) : .workerExited(id, .exited(1)))
            return
        }
        workers[id]!.started = true
        send(.workerStarted(id))
    }

    /// The worker finishes its current job: decoded, rejected, or it crashes on it.
    mutating func answer(_ id: WorkerID) {
        let job = workers[id]!.queue[0]
        switch kinds[job.path]! {
        case .crashes:
            crash(id, signal: 11)
        case .bad:
            workers[id]!.queue.removeFirst()
            inFlight.remove(job.path)
            send(.jobFinished(id, JobResult(jobID: job.id, outcome: .rejected(Rejection(.notTIFF, "bad signature")))))
        case .outOfMemory:
            workers[id]!.queue.removeFirst()
            inFlight.remove(job.path)
            send(.jobFinished(id, JobResult(jobID: job.id, outcome: .rejected(Rejection(.outOfMemory, "allocation failed")))))
        case .good, .hangs, .slow:
            workers[id]!.queue.removeFirst()
            inFlight.remove(job.path)
            decoded.insert(job.path)
            send(.jobFinished(id, JobResult(jobID: job.id, outcome: .decoded(info(for: job)))))
        }
    }

    mutating func crash(_ id: WorkerID, signal: Int32) {
        guard let w = workers.removeValue(forKey: id) else { return }
        for job in w.queue { inFlight.remove(job.path) }
        send(.workerExited(id, .signaled(signal)))
    }

    /// A worker we were told to kill dies; sometimes its current result makes it out first.
    mutating func exitKilled(_ id: WorkerID) {
        if let job = workers[id]!.queue.first,
            kinds[job.path] == .slow ? chance(0.5) : kinds[job.path] == .good && chance(0.3)
        {
            workers[id]!.queue.removeFirst()
            inFlight.remove(job.path)
            decoded.insert(job.path)
            send(.jobFinished(id, JobResult(jobID: job.id, outcome: .decoded(info(for: job)))))
        }
        if workers[id] != nil { crash(id, signal: 9) }
    }

    mutating func finishPublication() {
        let p = publishing!
        let fails = chance(0.25)
        if fails { publishing = nil }  // on success the `.published` action closes it
        send(.publicationFinished(sequence: p.sequence, error: fails ? PublicationError(errorNumber: 28, detail: "No space left on device") : nil))
    }

    mutating func passTime() {
        let ms = chance(0.1) ? Int64.random(in: 1000...12_000, using: &rng) : Int64.random(in: 1...800, using: &rng)
        d.now += .milliseconds(ms)
        send(.tick)
    }

    mutating func reconfigure() {
        reconfigurations += 1
        var s = d.engine.settings
        if switchesPages && chance(0.3) {
            s.output.pages = s.output.pages == .all ? .first : .all
            return send(.reconfigure(s))
        }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: s.workerCount = Int.random(in: 1...4, using: &rng)
        case 1: s.batchSize = Int.random(in: 1...8, using: &rng)
        case 2: s.interpolation = Interpolation.allCases.randomElement(using: &rng)!
        case 3: s.width = [16, 24, 32].randomElement(using: &rng)!
        default:
            s.shardSize = Int.random(in: 1...12, using: &rng)
            s.ringSize = Int.random(in: 1...4, using: &rng)
        }
        send(.reconfigure(s))
    }
}
