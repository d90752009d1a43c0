extension Configuration {
    /// Every configuration key, in the order of `config/tiffshard.yaml` and `check-config` output.
    ///
    /// The one place a setting is declared: its name (YAML key, `--flag`, `TIFFSHARD_*` variable), what it
    /// accepts, its default, and which commands read it. Adding a key is one entry here, a stored property
    /// on `Configuration`, and a flag declaration in the command-line target (checked against this table
    /// through `--help` by `ConvertCommandLineTests`).
    public static let keys: [ConfigurationKey] = [
        path("ingest", \.ingest, "./ingest", "Directory watched for incoming TIFF files."),
        path("output", \.output, "./shards", "Directory receiving the .npy shards and their .jsonl manifests."),
        path(
            "processed-dir", \.processedDir, "./processed",
            "Where sources are moved once their shard is durable (on-success: move)."),
        path("failed-dir", \.failedDir, "./failed", "Where rejected sources are moved, with a record in failures.jsonl."),
        ConfigurationKey(
            "on-success", \.onSuccess, allowed: ConfigurationValue.alternatives(Disposition.allCases.map(\.rawValue)),
            summary:
                "What happens to a source once its shard is durable: move it to processed-dir, delete it, or keep it.",
            default: .move, parse: ConfigurationValue.choice, render: \.rawValue
        ),
        integer(
            "width", \.width, 1...65535, 128, "Width of every resized image, in pixels.", convert: true,
            requiredByConvert: true),
        integer(
            "height", \.height, 1...65535, 128, "Height of every resized image, in pixels.", convert: true,
            requiredByConvert: true),
        ConfigurationKey(
            "interpolation", \.interpolation,
            allowed: ConfigurationValue.alternatives(Interpolation.allCases.map(\.rawValue)),
            summary: "Resize interpolation, as OpenCV's INTER_LINEAR, _AREA, _NEAREST, _CUBIC, _LANCZOS4.",
            default: .linear, commands: [.run, .convert], parse: ConfigurationValue.choice, render: \.rawValue
        ),
        choice(
            "dtype", \.dtype, .uint8,
            "Sample type of the shards: uint8 (today's 8-bit), uint16 or float32 (NumPy |u1, <u2, <f4)."),
        choice(
            "color", \.color, .gray,
            "Channels of every row: gray (N x H x W) or rgb (N x H x W x 3, in R, G, B order)."),
        choice(
            "pages", \.pages, .first,
            "Which pages of a multi-page TIFF become rows: the first, or all (one row each; reduced-resolution "
                + "images are not pages)."),
        choice(
            "resize", \.resize, .stretch,
            "How a page becomes width x height: stretch (ignore the aspect ratio), fit (whole page inside, "
                + "padded with pad-value) or crop (cover, centre window)."),
        ConfigurationKey(
            "pad-value", \.padValue, allowed: "a number: " + Configuration.padValueAllowed,
            summary: "Value of the canvas around the page with resize: fit, in the output dtype.",
            default: 0, commands: [.run, .convert], parse: ConfigurationValue.number, render: ConfigurationValue.render
        ),
        ConfigurationKey(
            "max-pixels", \.maxPixels, allowed: "an integer from 1 to 1099511627776 (2^40)",
            summary: "Largest source image accepted, in pixels of the decoded page; larger files are rejected.",
            default: 1 << 30, commands: [.run, .convert],
            parse: { ConfigurationValue.integer($0, in: 1...(1 << 40)) }, render: { String($0) }
        ),
        integer(
            "shard-size", \.shardSize, 1...1_000_000, 1024, "Images per shard (the N of the N x H x W .npy array).",
            convert: true),
        integer(
            "ring-size", \.ringSize, 2...16, 3, "Shared-memory shards in the ring: one filling while the others flush.",
            convert: true),
        ConfigurationKey(
            "workers", \.workers, allowed: "an integer from 1 to 256", summary: "Worker processes decoding in parallel.",
            default: 1, perCPU: { Swift.min(Swift.max($0, 1), 256) }, defaultText: "the CPU count",
            commands: [.run, .convert], parse: { ConfigurationValue.int($0, in: 1...256) }, render: { String($0) }
        ),
        integer("batch-size", \.batchSize, 1...4096, 16, "Most images handed to one worker at a time.", convert: true),
        duration(
            "decode-timeout", \.decodeTimeout, .seconds(30),
            "Kill a worker whose current image takes longer; the file is rejected.", convert: true),
        ConfigurationKey(
            "worker-memory-limit", \.workerMemoryLimit, allowed: "an integer from 64 to 1048576 (MiB)",
            summary: "Address space each worker may add for decoding, in MiB, on top of what it maps at start (code, libraries, ring).",
            default: 2048, commands: [.run, .convert],
            parse: { ConfigurationValue.integer($0, in: 64...1_048_576) }, render: { String($0) }
        ),
        duration(
            "idle-flush", \.idleFlush, .seconds(2), "Seal and publish a partial shard after this long without new files."),
        duration(
            "max-shard-age", \.maxShardAge, .seconds(30), "Seal and publish a shard once its oldest image is this old."),
        ConfigurationKey(
            "instance", \.instance, allowed: "up to 64 of A-Z a-z 0-9 _ . - not starting with '.', or empty",
            summary: "Shard-name prefix (NAME-shard-00000000.npy) so several daemons can publish into one store.",
            default: "", parse: ConfigurationValue.instance, render: { $0 }
        ),
        boolean(
            "recursive", \.recursive, "Include subdirectories of the ingest directory (run) or source directory (convert).",
            convert: true),
        boolean(
            "follow-symlinks", \.followSymlinks, "Follow symbolic links to files (and, if recursive, directories).",
            convert: false),
        ConfigurationKey(
            "rescan-interval", \.rescanInterval,
            allowed: "0 (off) or a duration up to 8760h: seconds (2, 0.5) or with a unit (500ms, 2s, 5m, 1h)",
            summary: "Rescan the ingest directory this often as a safety net (0: only at start-up and on overflow).",
            default: nil, parse: ConfigurationValue.optionalDuration, render: ConfigurationValue.render
        ),
        ConfigurationKey(
            "log-level", \.logLevel, allowed: ConfigurationValue.alternatives(Configuration.logLevels),
            summary: "Lowest level of log messages written.",
            default: "info", convertDefault: "error", commands: [.run, .convert],
            parse: { Configuration.logLevels.contains($0) ? $0 : nil }, render: { $0 }
        ),
    ]

    /// The commands of a key that `convert` reads too, or only `run`'s.
    private static func commands(convert: Bool) -> Set<ConfigurationCommand> {
        convert ? [.run, .convert] : [.run]
    }

    private static func path(
        _ name: String, _ field: WritableKeyPath<Configuration, String> & Sendable, _ defaultValue: String,
        _ summary: String
    ) -> ConfigurationKey {
        ConfigurationKey(
            name, field, allowed: "a non-empty directory path (relative paths start at the working directory)",
            summary: summary, default: defaultValue, parse: ConfigurationValue.path, render: { $0 }
        )
    }

    private static func integer(
        _ name: String, _ field: WritableKeyPath<Configuration, Int> & Sendable, _ range: ClosedRange<Int>,
        _ defaultValue: Int, _ summary: String, convert: Bool, requiredByConvert: Bool = false
    ) -> ConfigurationKey {
        ConfigurationKey(
            name, field, allowed: "an integer from \(range.lowerBound) to \(range.upperBound)", summary: summary,
            default: defaultValue, commands: commands(convert: convert), requiredBy: requiredByConvert ? [.convert] : [],
            parse: { ConfigurationValue.int($0, in: range) }, render: { String($0) }
        )
    }

    private static func duration(
        _ name: String, _ field: WritableKeyPath<Configuration, Duration> & Sendable, _ defaultValue: Duration,
        _ summary: String, convert: Bool = false
    ) -> ConfigurationKey {
        ConfigurationKey(
            name, field,
            allowed: "a duration greater than 0 and up to 8760h: seconds (2, 0.5) or with a unit (500ms, 2s, 5m, 1h)",
            summary: summary, default: defaultValue, commands: commands(convert: convert),
            parse: ConfigurationValue.positiveDuration, render: ConfigurationValue.render
        )
    }

    /// A key whose values are an enumeration's raw values, read by both commands.
    private static func choice<Value: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ field: WritableKeyPath<Configuration, Value> & Sendable, _ defaultValue: Value,
        _ summary: String
    ) -> ConfigurationKey where Value.RawValue == String {
        ConfigurationKey(
            name, field, allowed: ConfigurationValue.alternatives(Value.allCases.map(\.rawValue)), summary: summary,
            default: defaultValue, commands: [.run, .convert], parse: ConfigurationValue.choice, render: \.rawValue
        )
    }

    private static func boolean(
        _ name: String, _ field: WritableKeyPath<Configuration, Bool> & Sendable, _ summary: String, convert: Bool
    ) -> ConfigurationKey {
        ConfigurationKey(
            name, field, allowed: "true or false (also yes/no, on/off, 1/0)", summary: summary, default: false,
            commands: commands(convert: convert), parse: ConfigurationValue.boolean, render: { String($0) }
        )
    }
}
