/// Where the engine is in its life: taking files, draining for a new ring, winding down, done.
extension Engine {
    /// One value for what used to be four flags (`inputExhausted`, `shuttingDown`, `pendingSettings`,
    /// `finishedEmitted`), so impossible combinations cannot be represented.
    enum Lifecycle: Equatable, Sendable {
        /// Taking new files. `newRing`: reloaded settings that need a new shared-memory ring; no row is
        /// assigned until the ring has drained and been rebuilt with them.
        case accepting(newRing: EngineSettings?)
        /// No more files will be discovered (one-shot `convert`): finish once everything is published.
        case inputExhausted
        /// Shutdown was requested: files not yet on a worker were dropped; finish the rest, then stop.
        case shuttingDown
        /// `finished` was emitted.
        case finished
    }

    /// Reloaded settings waiting for the ring to drain, if any.
    var newRingSettings: EngineSettings? {
        if case .accepting(let newRing) = lifecycle { newRing } else { nil }
    }

    /// Whether no new files will come: the engine finishes once the work it holds is done.
    var isWindingDown: Bool {
        switch lifecycle {
        case .accepting: false
        case .inputExhausted, .shuttingDown, .finished: true
        }
    }
}
