import Logging
import TiffShardCore

extension Supervisor {
    /// Quarantines a file the supervisor itself rejected (by type), outside the engine.
    func perform(rejection file: SourceFile, reason: String) {
        logger.warning("rejected \(file.relativePath): \(reason)", metadata: [LogKey.source: "\(file.relativePath)", LogKey.reason: "\(reason)"])
        publisher.submit(.reject(file, reason: reason, policy))
    }
}
