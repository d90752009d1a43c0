/// What happens to a source file once its shard is durable.
public enum Disposition: String, CaseIterable, Sendable {
    /// Move it into the processed directory.
    case move
    /// Unlink it.
    case delete
    /// Leave it where it is (the daemon remembers it was ingested only until it restarts).
    case keep
}
