import LinuxSystem
import Logging
import TiffShardCore

/// The reactor: one thread, one `epoll` over the signalfd, a timerfd, the publisher's eventfd, one socket
/// per worker and whatever descriptors its driver registers. It turns readiness into engine events and
/// carries out the engine's actions. `convert` and `run` both drive their work through it.
///
/// Its API is small on purpose: ``feed(_:)`` engine events, ``quarantine(_:_:)`` and
/// ``disposeRecovered(_:)`` for the intake's verdicts, ``register(_:token:)`` a descriptor,
/// ``stop(exitCode:graceful:)``, and read-only figures for STATUS. What the driver must hear of
/// (signals, ticks, readable descriptors, publications, quarantines, changed sources) arrives as a
/// ``Notice`` from the loop, after the engine's actions are carried out: never from inside them.
final class Supervisor {
    /// What the supervisor tells its driver.
    enum Notice {
        /// The reactor's timer (every 100 ms).
        case tick(Duration)
        /// A handled signal other than SIGCHLD (TERM, INT, HUP).
        case signal(Int32)
        /// A descriptor the driver registered is readable.
        case readable(token: UInt64)
        /// A shard is durable and its sources are disposed of.
        case published(ShardPublication)
        /// A shard could not be written; it is retried with backoff.
        case publicationFailed(String)
        /// A rejected source is recorded (and moved, in daemon mode).
        case quarantined(SourceFile)
        /// Sources changed after they were read (seen by a worker or at disposal): their rows are empty.
        case changed([SourceFile])
    }

    /// Receives notices; may call back into the supervisor (the loop is not inside an action then).
    protocol Driver: AnyObject {
        func supervisor(_ supervisor: Supervisor, noticed notice: Notice)
    }

    /// Tokens the supervisor keeps for itself; a driver registers its descriptors with others.
    enum Token {
        static let signals: UInt64 = 1
        static let timer: UInt64 = 2
        static let publisher: UInt64 = 3
        /// The first token a driver may use.
        static let firstDriverToken: UInt64 = 10
        static let firstWorker: UInt64 = 1000
    }

    private var engine: Engine
    private var ring: SharedRing
    private let pool: WorkerPool
    private let publisher: Publisher
    private let epoll: Epoll
    private let signals: SignalDescriptor
    private let timer: TimerDescriptor
    private var policy: PublicationPolicy
    private let logger: Logger

    private var queued: [Engine.Event] = []
    private var processing = false
    private var notices: [Notice] = []
    private var inFlightPublications: [Int: ShardPublication] = [:]
    /// Images decoded so far (for rates), counted on results, not on publication.
    private(set) var decodedCount = 0
    private var stopRequested = false
    private(set) var exitCode: Int32 = 0

    /// The signals the supervisor handles through its signalfd (blocked in `main` before any thread starts).
    static let handledSignals = [Signal.terminate, Signal.interrupt, Signal.hangup, Signal.child]

    init(settings: EngineSettings, firstSequence: Int, policy: PublicationPolicy, executable: String,
         workerMemoryLimitMiB: UInt64, logger: Logger) throws {
        engine = Engine(settings: settings, firstSequence: firstSequence)
        ring = try SharedRing(settings: settings)
        pool = WorkerPool(executable: executable, memoryLimitMiB: workerMemoryLimitMiB, logger: logger)
        publisher = try Publisher(logger: logger)
        epoll = try Epoll()
        signals = try SignalDescriptor(signals: Self.handledSignals)
        timer = try TimerDescriptor()
        self.policy = policy
        self.logger = logger
        try epoll.add(signals.fileDescriptor, events: .readable, token: Token.signals)
        try epoll.add(timer.fileDescriptor, events: .readable, token: Token.timer)
        try epoll.add(publisher.wakeup.fileDescriptor, events: .readable, token: Token.publisher)
        try timer.arm(after: .milliseconds(100), repeating: .milliseconds(100))
        try publisher.start()
    }

    // MARK: - The API

    /// Feeds an event to the engine and carries out the resulting actions (and the events they cause).
    func feed(_ event: Engine.Event) {
        queued.append(event)
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !queued.isEmpty {
            let next = queued.removeFirst()
            for action in engine.handle(next, now: MonotonicClock.now()) { perform(action) }
        }
    }

    /// Quarantines a file the intake rejected (by type or name), counting it like the engine's rejections.
    func quarantine(_ file: SourceFile, _ rejection: Rejection) {
        engine.statistics.countRejection(rejection)
        submitRejection(file, rejection)
    }

    /// Disposes of sources an earlier run already published (start-up recovery).
    func disposeRecovered(_ files: [SourceFile]) {
        publisher.submit(.disposeRecovered(files, policy))
    }

    /// Starts sources that earlier runs partly published at their first missing page (start-up recovery).
    func resume(_ points: [SourceIdentity: PublishedPages]) {
        guard !points.isEmpty else { return }
        logger.notice("\(points.count) sources were cut off between shards by a stop; resuming them at their first missing page")
        feed(.resume(points))
    }

    /// Applies new settings and publication policy (SIGHUP).
    func reconfigure(_ settings: EngineSettings, policy: PublicationPolicy) {
        self.policy = policy
        feed(.reconfigure(settings))
    }

    /// Watches `descriptor` for input; the driver hears ``Notice/readable(token:)`` with `token`.
    func register(_ descriptor: FileDescriptor, token: UInt64) throws {
        precondition(token >= Token.firstDriverToken && token < Token.firstWorker, "token \(token) is reserved")
        try epoll.add(descriptor, events: .readable, token: token)
    }

    /// Stops watching `descriptor`.
    func unregister(_ descriptor: FileDescriptor) {
        try? epoll.remove(descriptor)
    }

    /// Ends the run with `exitCode`: gracefully (finish images in flight, publish the partial shard) or
    /// at once (the loop stops; what is not published stays in the ingest directory).
    func stop(exitCode: Int32, graceful: Bool) {
        if exitCode != 0 { self.exitCode = exitCode }
        if graceful { feed(.shutdownRequested) } else { stopRequested = true }
    }

    /// The engine's counters.
    var statistics: EngineStatistics { engine.statistics }
    /// Files waiting for a worker or on one.
    var backlog: Int { engine.queuedCount + engine.inFlightCount }
    /// Whether every ring slot is busy (backpressure).
    var ringIsFull: Bool { engine.ringIsFull }
    /// Live worker processes.
    var workerCount: Int { engine.workerCount }

    /// Runs until the engine finishes or a fatal error stops the loop; returns the exit code.
    func run(driver: Driver) -> Int32 {
        feed(.tick)
        deliverNotices(to: driver)
        while !engine.isFinished && !stopRequested {
            let ready: [(token: UInt64, events: EpollEvents)]
            do { ready = try epoll.wait(timeoutMilliseconds: 200) } catch {
                logger.critical("epoll_wait failed: \(error)")
                exitCode = ExitCodes.internalError
                break
            }
            for (token, _) in ready {
                dispatch(token)
                deliverNotices(to: driver)
            }
        }
        shutDown()
        return exitCode
    }

    // MARK: - The loop

    private func deliverNotices(to driver: Driver) {
        while !notices.isEmpty {
            let notice = notices.removeFirst()
            driver.supervisor(self, noticed: notice)
        }
    }

    private func dispatch(_ token: UInt64) {
        switch token {
        case Token.signals:
            for signal in (try? signals.readSignals()) ?? [] {
                if signal == Signal.child { reapWorkers() } else { notices.append(.signal(signal)) }
            }
        case Token.timer:
            _ = try? timer.readExpirations()
            feed(.tick)
            notices.append(.tick(MonotonicClock.now()))
        case Token.publisher:
            for completion in publisher.takeCompletions() { complete(completion) }
        case Token.firstWorker...:
            readWorker(WorkerID(Int(token - Token.firstWorker)))
        default:
            notices.append(.readable(token: token))
        }
    }

    private func complete(_ completion: Publisher.Completion) {
        switch completion {
        case .shard(let sequence, let error, let changed):
            if let error {
                logger.error("publication failed, will retry: \(error)", metadata: [LogKey.shard: "\(policy.naming.arrayName(sequence))"])
                notices.append(.publicationFailed(error.description))
            }
            // Changed sources first: the intake then knows, when it hears of the publication, that their
            // names hold new content.
            if !changed.isEmpty {
                logger.notice("\(changed.count) sources changed after they were read; ingesting their new content")
                notices.append(.changed(changed))
            }
            feed(.publicationFinished(sequence: sequence, error: error))
        case .quarantined(let file):
            notices.append(.quarantined(file))
        }
    }

    private func readWorker(_ id: WorkerID) {
        let (results, closed) = pool.receive(from: id)
        for result in results {
            if case .decoded = result.outcome { decodedCount += 1 }
            feed(.jobFinished(id, result))
        }
        if closed, let member = pool.members[id], member.open {
            try? epoll.remove(member.socket)
            pool.closeSocket(id)
        }
    }

    private func reapWorkers() {
        for (id, status) in pool.reap() {
            readWorker(id)  // results sent just before death count
            if let member = pool.members[id], member.open { try? epoll.remove(member.socket) }
            pool.remove(id)
            if status != .exited(0) || engine.workerCount > 0 {
                logger.warning("worker exited: \(status)", metadata: [LogKey.worker: "\(id.rawValue)"])
            }
            feed(.workerExited(id, WorkerExit(status)))
        }
    }

    private func submitRejection(_ file: SourceFile, _ rejection: Rejection) {
        logger.warning("rejected \(file.relativePath): \(rejection.reason)", metadata: [
            LogKey.source: "\(file.relativePath)", LogKey.category: "\(rejection.category.rawValue)",
            LogKey.reason: "\(rejection.reason)",
        ])
        publisher.submit(.reject(file, rejection, policy))
    }

    private func perform(_ action: Engine.Action) {
        switch action {
        case .spawnWorker(let id):
            do {
                let socket = try pool.spawn(id, ring: ring)
                try epoll.add(socket, events: .readable, token: Token.firstWorker + UInt64(id.rawValue))
                queued.append(.workerStarted(id))
            } catch {
                logger.error("could not start worker: \(error)", metadata: [LogKey.worker: "\(id.rawValue)"])
                queued.append(.workerSpawnFailed(id, WorkerSpawnError(error)))
            }
        case .retireWorker(let id):
            if let member = pool.members[id], member.open { try? epoll.remove(member.socket) }
            pool.retire(id)
        case .killWorker(let id, let reason):
            logger.warning("killing worker: \(reason)", metadata: [LogKey.worker: "\(id.rawValue)"])
            pool.kill(id)
        case .dispatch(let id, var batch):
            batch.root = policy.root.bytes
            do { try pool.send(batch, to: id) } catch {
                logger.error("could not send batch to worker: \(error)", metadata: [LogKey.worker: "\(id.rawValue)"])
                pool.kill(id)
            }
        case .publish(let publication):
            inFlightPublications[publication.sequence] = publication
            publisher.submit(.shard(publication, ring, policy))
        case .reject(let file, let reason):
            submitRejection(file, reason)
        case .rebuildRing(let settings):
            do {
                ring = try SharedRing(settings: settings)
                logger.notice("rebuilt shard ring: \(settings.ringSize) x \(settings.shardSize) x \(settings.height) x \(settings.width)")
            } catch {
                logger.critical("could not allocate the shard ring: \(error)")
                exitCode = ExitCodes.internalError
                stopRequested = true
            }
        case .published(let sequence, _):
            if let publication = inFlightPublications.removeValue(forKey: sequence) {
                notices.append(.published(publication))
            }
        case .reexamine(let file, let rejection):
            logger.notice("\(file.relativePath) \(rejection.reason); looking at it again", metadata: [LogKey.source: "\(file.relativePath)"])
            notices.append(.changed([file]))
        case .fatal(let reason):
            logger.critical("\(reason); stopping")
            exitCode = ExitCodes.internalError
            stopRequested = true
        case .finished:
            break
        }
    }

    /// Stops the publisher thread and makes sure no worker outlives us.
    private func shutDown() {
        publisher.stop()
        for id in pool.members.keys { pool.retire(id) }
        // Retired workers exit on EOF; give them a moment, then make sure.
        let deadline = MonotonicClock.now() + .seconds(2)
        while pool.hasUnreapedWorkers && MonotonicClock.now() < deadline {
            _ = pool.reap()
            _ = try? epoll.wait(timeoutMilliseconds: 10)
        }
        pool.killAll()
    }
}
