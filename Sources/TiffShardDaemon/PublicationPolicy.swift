import TiffShardCore

/// Where shards go and what happens to sources afterwards; may change on reload.
struct PublicationPolicy: Sendable {
    var output: String
    var naming: ShardNaming
    /// nil for `convert`: sources are never touched.
    var onSuccess: Disposition?
    var processedDir: String
    /// nil for `convert`: rejected files stay where they are.
    var failedDir: String?
    /// `OUT/rejected.jsonl` for convert, `failed-dir/failures.jsonl` for the daemon.
    var rejectionLog: String
}
