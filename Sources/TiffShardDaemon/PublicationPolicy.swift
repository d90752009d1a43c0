import LinuxSystem
import TiffShardCore

/// Where shards go and what happens to sources afterwards; may change on reload.
struct PublicationPolicy: Sendable {
    /// The ingest or source directory: sources' relative paths are joined to it at the system call.
    var root: FilePath
    var output: String
    var naming: ShardNaming
    /// nil for `convert`: sources are never touched.
    var onSuccess: Disposition?
    var processedDir: String
    /// nil for `convert`: rejected files stay where they are.
    var failedDir: String?
    /// `OUT/rejected.jsonl` for convert, `failed-dir/failures.jsonl` for the daemon.
    var rejectionLog: String
    /// The ingest directory (daemon): rejected files still in it with a record are not recorded twice.
    var ingest: String? = nil
}
