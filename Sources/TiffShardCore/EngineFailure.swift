/// A condition the engine cannot recover from: the daemon stops and exits non-zero (`Engine.Action.fatal`).
public enum EngineFailure: Equatable, Sendable, CustomStringConvertible {
    /// Workers die right after starting, before any work, `times` in a row: the worker cannot run at all
    /// (missing library, sandbox, broken binary). `lastExit` is how the last one ended.
    case workersCannotStart(lastExit: WorkerExit, times: Int)

    public var description: String {
        switch self {
        case .workersCannotStart(let exit, let times): "workers exit right after starting (\(exit)), \(times) times in a row"
        }
    }
}

/// Why the engine asks the reactor to kill a worker (`Engine.Action.killWorker`).
public enum WorkerKillReason: Equatable, Sendable, CustomStringConvertible {
    /// One image took longer than `decode-timeout`.
    case decodeTimeout(Duration)

    public var description: String {
        switch self {
        case .decodeTimeout(let limit): "decode of one image took longer than \(limit.components.seconds) s"
        }
    }
}

/// Why a shard could not be written (`Engine.Event.publicationFinished`); the shard is retried later.
public typealias PublicationError = SystemFailure
