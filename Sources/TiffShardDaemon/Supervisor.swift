import LinuxSystem
import Logging
import TiffShardCore

/// The reactor: one thread, one `epoll` over the signalfd, a timerfd, the publisher's eventfd, the
/// inotify fd and one socket per worker. It turns readiness into engine events and carries out the
/// engine's actions. `convert` and `run` both drive their work through it.
final class Supervisor {
    enum Token {
        static let signals: UInt64 = 1
        static let timer: UInt64 = 2
        static let publisher: UInt64 = 3
        static let inotify: UInt64 = 4
        static let firstWorker: UInt64 = 1000
    }

    /// Mode-specific behaviour: what to do on ticks, signals, publications and readable inotify.
    protocol Hooks: AnyObject {
        func supervisorTick(_ supervisor: Supervisor, now: Duration)
        func supervisor(_ supervisor: Supervisor, received signal: Int32)
        func supervisor(_ supervisor: Supervisor, published publication: ShardPublication)
        func supervisor(_ supervisor: Supervisor, publicationFailed error: String)
        func supervisor(_ supervisor: Supervisor, sourcesChanged sources: [SourceFile])
        func supervisorInotifyReadable(_ supervisor: Supervisor)
    }

    var engine: Engine
    var ring: SharedRing
    let pool: WorkerPool
    let publisher: Publisher
    let epoll: Epoll
    let signals: SignalDescriptor
    let timer: TimerDescriptor
    var policy: PublicationPolicy
    let logger: Logger
    weak var hooks: Hooks?

    private var queued: [Engine.Event] = []
    private var processing = false
    private var inFlightPublications: [Int: ShardPublication] = [:]
    /// Images decoded so far (for rates), counted on results, not on publication.
    private(set) var decodedCount = 0
    var stopRequested = false
    var exitCode: Int32 = 0

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

    /// Runs until the engine finishes or a fatal error stops the loop; returns the exit code.
    func run() -> Int32 {
        feed(.tick)
        while !engine.isFinished && !stopRequested {
            let ready: [(token: UInt64, events: EpollEvents)]
            do { ready = try epoll.wait(timeoutMilliseconds: 200) } catch {
                logger.critical("epoll_wait failed: \(error)")
                exitCode = ExitCodes.internalError
                break
            }
            for (token, _) in ready { dispatch(token) }
        }
        shutDown()
        return exitCode
    }

    private func dispatch(_ token: UInt64) {
        switch token {
        case Token.signals:
            for signal in (try? signals.readSignals()) ?? [] {
                if signal == Signal.child { reapWorkers() } else { hooks?.supervisor(self, received: signal) }
            }
        case Token.timer:
            _ = try? timer.readExpirations()
            feed(.tick)
            hooks?.supervisorTick(self, now: MonotonicClock.now())
        case Token.publisher:
            for completion in publisher.takeCompletions() { complete(completion) }
        case Token.inotify:
            hooks?.supervisorInotifyReadable(self)
        default:
            readWorker(WorkerID(Int(token - Token.firstWorker)))
        }
    }

    private func complete(_ completion: Publisher.Completion) {
        guard case .shard(let sequence, let error, let changed) = completion else { return }
        if let error {
            logger.error("publication failed, will retry: \(error)", metadata: [LogKey.shard: "\(policy.naming.arrayName(sequence))"])
            hooks?.supervisor(self, publicationFailed: error)
        }
        feed(.publicationFinished(sequence: sequence, error: error))
        if !changed.isEmpty { hooks?.supervisor(self, sourcesChanged: changed) }
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
            var signal: Int32? = nil
            if case .signaled(let s, _) = status { signal = s }
            if status != .exited(0) || engine.workerCount > 0 {
                logger.warning("worker exited: \(status)", metadata: [LogKey.worker: "\(id.rawValue)"])
            }
            feed(.workerExited(id, status: "\(status)", signal: signal))
        }
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
                queued.append(.workerSpawnFailed(id, reason: "\(error)"))
            }
        case .retireWorker(let id):
            if let member = pool.members[id], member.open { try? epoll.remove(member.socket) }
            pool.retire(id)
        case .killWorker(let id, let reason):
            logger.warning("killing worker: \(reason)", metadata: [LogKey.worker: "\(id.rawValue)"])
            pool.kill(id)
        case .dispatch(let id, let batch):
            do { try pool.send(batch, to: id) } catch {
                logger.error("could not send batch to worker: \(error)", metadata: [LogKey.worker: "\(id.rawValue)"])
                pool.kill(id)
            }
        case .publish(let publication):
            inFlightPublications[publication.sequence] = publication
            publisher.submit(.shard(publication, ring, policy))
        case .reject(let file, let reason):
            logger.warning("rejected \(file.relativePath): \(reason)", metadata: [LogKey.source: "\(file.relativePath)", LogKey.reason: "\(reason)"])
            publisher.submit(.reject(file, reason: reason, policy))
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
                hooks?.supervisor(self, published: publication)
            }
        case .reexamine(let file, let reason):
            logger.notice("\(file.relativePath) \(reason); looking at it again", metadata: [LogKey.source: "\(file.relativePath)"])
            hooks?.supervisor(self, sourcesChanged: [file])
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
