/// The daemon's settings, one property per configuration key.
///
/// Values come from defaults, the YAML file, `TIFFSHARD_*` environment variables and flags, in that
/// order of precedence (lowest first); see `ConfigurationLoader`. Relative paths are relative to the
/// working directory of the process, not to the configuration file.
public struct Configuration: Equatable, Sendable {
    /// Directory watched for incoming TIFFs (`ingest`).
    public var ingest: String
    /// Directory receiving the `.npy` shards and `.jsonl` manifests (`output`).
    public var output: String
    /// Where sources go after their shard is durable when `onSuccess` is `.move` (`processed-dir`).
    public var processedDir: String
    /// Where rejected sources go, with `failures.jsonl` (`failed-dir`).
    public var failedDir: String
    /// Width of every resized image in pixels (`width`).
    public var width: Int
    /// Height of every resized image in pixels (`height`).
    public var height: Int
    /// Worker processes decoding in parallel (`workers`); the default is the CPU count.
    public var workers: Int
    /// Images per shard (`shard-size`).
    public var shardSize: Int
    /// Shared-memory shards in the ring: one filling, the others flushing (`ring-size`).
    public var ringSize: Int
    /// Most images sent to one worker at a time (`batch-size`).
    public var batchSize: Int
    /// Seal a partial shard after this long without new files (`idle-flush`).
    public var idleFlush: Duration
    /// Seal a shard whose oldest image is this old (`max-shard-age`).
    public var maxShardAge: Duration
    /// What to do with a source once its shard is durable (`on-success`).
    public var onSuccess: Disposition
    /// Resize interpolation (`interpolation`).
    public var interpolation: Interpolation
    /// Sample type of the shards (`dtype`).
    public var dtype: OutputFormat.SampleType
    /// Gray or RGB rows (`color`).
    public var color: OutputFormat.Color
    /// Which pages of a multi-page file become rows (`pages`).
    public var pages: OutputFormat.Pages
    /// How a page becomes width x height (`resize`).
    public var resize: OutputFormat.Resize
    /// Canvas value with `resize: fit`, in the output dtype (`pad-value`); checked against `dtype` by `validate`.
    public var padValue: Double
    /// Largest source image accepted, in pixels of the decoded page (`max-pixels`).
    public var maxPixels: UInt64
    /// Whether symbolic links in the ingest directory are followed (`follow-symlinks`).
    public var followSymlinks: Bool
    /// Whether subdirectories of the ingest directory are watched too (`recursive`).
    public var recursive: Bool
    /// Period of a safety rescan of the ingest directory; nil: only at start-up and on overflow (`rescan-interval`).
    public var rescanInterval: Duration?
    /// A worker whose current image takes longer than this is killed and the file rejected (`decode-timeout`).
    public var decodeTimeout: Duration
    /// Address-space limit of each worker in MiB, on top of the mapped shard ring (`worker-memory-limit`).
    public var workerMemoryLimit: UInt64
    /// Shard-name prefix so several daemons can publish into one store; empty: none (`instance`).
    public var instance: String
    /// Lowest log level written: trace, debug, info, notice, warning, error or critical (`log-level`).
    public var logLevel: String

    /// `run`'s defaults, with `workers` set to `cpuCount` (clamped to 1...256).
    public init(cpuCount: Int) {
        self.init(defaultsFor: .run, cpuCount: cpuCount)
    }

    /// The defaults of `command` as declared in `Configuration.keys`, with `workers` set to `cpuCount`
    /// (clamped to 1...256).
    public init(defaultsFor command: ConfigurationCommand, cpuCount: Int) {
        self.init(unset: ())
        for key in Self.keys { key.reset(&self, command, cpuCount) }
    }

    /// Storage only: every field is overwritten from the key table's defaults by `init(defaultsFor:cpuCount:)`,
    /// so these placeholders are never seen (the defaults live in `Configuration+Keys.swift` alone).
    private init(unset: Void) {
        (ingest, output, processedDir, failedDir) = ("", "", "", "")
        (width, height, workers, shardSize, ringSize, batchSize) = (0, 0, 0, 0, 0, 0)
        (idleFlush, maxShardAge, decodeTimeout, rescanInterval) = (.zero, .zero, .zero, nil)
        (onSuccess, interpolation, maxPixels, workerMemoryLimit) = (.keep, .linear, 0, 0)
        (followSymlinks, recursive, instance, logLevel) = (false, false, "", "")
        (dtype, color, pages, resize, padValue) = (.uint8, .gray, .first, .stretch, 0)
    }

    /// The part the engine acts on.
    public var engineSettings: EngineSettings {
        EngineSettings(
            width: width, height: height, shardSize: shardSize, ringSize: ringSize, interpolation: interpolation,
            output: outputFormat, maxPixels: maxPixels, workerCount: workers, batchSize: batchSize, idleFlush: idleFlush,
            maxShardAge: maxShardAge, decodeTimeout: decodeTimeout
        )
    }

    /// What every row is made of: `dtype`, `color`, `pages`, `resize` and `pad-value` together.
    public var outputFormat: OutputFormat {
        OutputFormat(dtype: dtype, color: color, pages: pages, resize: resize, padValue: padValue)
    }

    /// Shard-file naming with this instance prefix.
    public var shardNaming: ShardNaming { ShardNaming(prefix: instance) }

    /// Bytes of one image row: width x height x channels x bytes per sample.
    public var imageBytes: UInt64 { UInt64(width) * UInt64(height) * UInt64(outputFormat.pixelBytes) }

    /// Bytes of one shard's pixels: shard-size x image bytes (the `.npy` file adds a 64-128 byte header).
    public var shardBytes: UInt64 { UInt64(shardSize) * imageBytes }

    /// Bytes of shared memory the shard ring maps: ring-size x shard bytes.
    public var ringBytes: UInt64 { UInt64(ringSize) * shardBytes }

    /// The most shared memory the ring may take: 16 GiB.
    public static let maxRingBytes: UInt64 = 16 << 30

    /// The log levels `logLevel` accepts, lowest first (the names of swift-log's `Logger.Level`).
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}
