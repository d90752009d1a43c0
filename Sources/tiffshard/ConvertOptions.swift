import ArgumentParser
import TiffShardCore

/// `convert` flags: `--config FILE` plus one flag per key `convert` reads (see `ConfigurationCommand.convert`),
/// in table order. Names and help come from `Configuration.keys`; `--recursive` is a switch here, as it
/// always was for `convert` (`run` takes `--recursive true|false`).
struct ConvertOptions: ConfigurationFlags {
    /// The keys of one-shot conversion.
    static let command = ConfigurationCommand.convert

    @Option(help: "YAML configuration file; keys convert does not read (ingest, instance...) are checked, then ignored.")
    var config: String?
    @Option(help: .key("width", .convert)) var width: String?
    @Option(help: .key("height", .convert)) var height: String?
    @Option(help: .key("interpolation", .convert)) var interpolation: String?
    @Option(help: .key("dtype", .convert)) var dtype: String?
    @Option(help: .key("color", .convert)) var color: String?
    @Option(help: .key("pages", .convert)) var pages: String?
    @Option(help: .key("resize", .convert)) var resize: String?
    // Unconditional: the value may be negative (`--pad-value -1` with float32), which would look like a flag.
    @Option(parsing: .unconditional, help: .key("pad-value", .convert)) var padValue: String?
    @Option(help: .key("max-pixels", .convert)) var maxPixels: String?
    @Option(help: .key("shard-size", .convert)) var shardSize: String?
    @Option(help: .key("ring-size", .convert)) var ringSize: String?
    @Option(help: .key("workers", .convert)) var workers: String?
    @Option(help: .key("batch-size", .convert)) var batchSize: String?
    @Option(help: .key("decode-timeout", .convert)) var decodeTimeout: String?
    @Option(help: .key("worker-memory-limit", .convert)) var workerMemoryLimit: String?
    @Flag(help: .switchKey("recursive", .convert)) var recursive = false
    @Option(help: .key("log-level", .convert)) var logLevel: String?
}
