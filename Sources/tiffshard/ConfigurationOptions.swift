import ArgumentParser
import TiffShardCore

/// `run` and `check-config` flags: `--config FILE` plus one flag per configuration key, in table order;
/// flags override the environment and the file. Names and help come from `Configuration.keys`.
struct ConfigurationOptions: ConfigurationFlags {
    /// Every key applies to the daemon.
    static let command = ConfigurationCommand.run

    @Option(help: "YAML configuration file (see config/tiffshard.yaml).") var config: String?
    @Option(help: .key("ingest", .run)) var ingest: String?
    @Option(help: .key("output", .run)) var output: String?
    @Option(help: .key("processed-dir", .run)) var processedDir: String?
    @Option(help: .key("failed-dir", .run)) var failedDir: String?
    @Option(help: .key("on-success", .run)) var onSuccess: String?
    @Option(help: .key("width", .run)) var width: String?
    @Option(help: .key("height", .run)) var height: String?
    @Option(help: .key("interpolation", .run)) var interpolation: String?
    @Option(help: .key("dtype", .run)) var dtype: String?
    @Option(help: .key("color", .run)) var color: String?
    @Option(help: .key("pages", .run)) var pages: String?
    @Option(help: .key("resize", .run)) var resize: String?
    // Unconditional: the value may be negative (`--pad-value -1` with float32), which would look like a flag.
    @Option(parsing: .unconditional, help: .key("pad-value", .run)) var padValue: String?
    @Option(help: .key("max-pixels", .run)) var maxPixels: String?
    @Option(help: .key("shard-size", .run)) var shardSize: String?
    @Option(help: .key("ring-size", .run)) var ringSize: String?
    @Option(help: .key("workers", .run)) var workers: String?
    @Option(help: .key("batch-size", .run)) var batchSize: String?
    @Option(help: .key("decode-timeout", .run)) var decodeTimeout: String?
    @Option(help: .key("worker-memory-limit", .run)) var workerMemoryLimit: String?
    @Option(help: .key("read-ahead", .run)) var readAhead: String?
    @Option(help: .key("idle-flush", .run)) var idleFlush: String?
    @Option(help: .key("max-shard-age", .run)) var maxShardAge: String?
    @Option(help: .key("instance", .run)) var instance: String?
    @Option(help: .key("recursive", .run)) var recursive: String?
    @Option(help: .key("follow-symlinks", .run)) var followSymlinks: String?
    @Option(help: .key("rescan-interval", .run)) var rescanInterval: String?
    @Option(help: .key("log-level", .run)) var logLevel: String?
}
