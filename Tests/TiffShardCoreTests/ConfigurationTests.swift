import Testing

@testable import TiffShardCore

/// Loads with cpuCount 4, returning the error instead of throwing it.
func configurationLoadError(
    _ yaml: String? = nil, environment: [String: String] = [:], flags: [(key: String, value: String)] = []
) -> ConfigurationError? {
    do {
        _ = try ConfigurationLoader.load(
            fileText: yaml, fileOrigin: "/etc/x.yaml", environment: environment, overrides: flags, cpuCount: 4
        )
        return nil
    } catch {
        return error
    }
}

/// Defaults, the key table and the mapping to `EngineSettings`.
@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheSpecification() throws {
        let c = try ConfigurationLoader.load(
            fileText: nil, fileOrigin: "none", environment: [:], overrides: [], cpuCount: 6
        )
        #expect(c == Configuration(cpuCount: 6))
        #expect(c.ingest == "./ingest")
        #expect(c.output == "./shards")
        #expect(c.processedDir == "./processed")
        #expect(c.failedDir == "./failed")
        #expect(c.width == 128 && c.height == 128)
        #expect(c.workers == 6)
        #expect(c.shardSize == 1024 && c.ringSize == 3 && c.batchSize == 16)
        #expect(c.idleFlush == .seconds(2) && c.maxShardAge == .seconds(30) && c.decodeTimeout == .seconds(30))
        #expect(c.onSuccess == .move && c.interpolation == .linear)
        #expect(c.maxPixels == 1 << 30)
        #expect(!c.followSymlinks && !c.recursive)
        #expect(c.rescanInterval == nil)
        #expect(c.workerMemoryLimit == 2048)
        #expect(c.instance == "" && c.logLevel == "info")
    }

    @Test func workersDefaultIsTheCPUCountClampedToTheAllowedRange() {
        #expect(Configuration(cpuCount: 0).workers == 1)
        #expect(Configuration(cpuCount: 2).workers == 2)
        #expect(Configuration(cpuCount: 1000).workers == 256)
    }

    @Test func engineSettingsCarryTheEngineKeys() {
        var c = Configuration(cpuCount: 2)
        c.width = 64
        c.height = 32
        c.shardSize = 100
        c.ringSize = 4
        c.interpolation = .area
        c.maxPixels = 5000
        c.workers = 7
        c.batchSize = 3
        c.idleFlush = .milliseconds(500)
        c.maxShardAge = .seconds(9)
        c.decodeTimeout = .seconds(11)
        c.dtype = .float32
        c.color = .rgb
        c.pages = .all
        c.resize = .crop
        c.padValue = -0.5
        let expected = EngineSettings(
            width: 64, height: 32, shardSize: 100, ringSize: 4, interpolation: .area,
            output: OutputFormat(dtype: .float32, color: .rgb, pages: .all, resize: .crop, padValue: -0.5),
            maxPixels: 5000,
            workerCount: 7, batchSize: 3, idleFlush: .milliseconds(500), maxShardAge: .seconds(9),
            decodeTimeout: .seconds(11), readAheadBytes: 32 << 20
        )
        #expect(c.engineSettings == expected)
        #expect(c.engineSettings.slotBytes == Int(c.shardBytes))
    }

    @Test func byteSizesFollowTheShape() {
        let c = Configuration(cpuCount: 1)
        #expect(c.shardBytes == 1024 * 128 * 128)
        #expect(c.ringBytes == 3 * 1024 * 128 * 128)
        #expect(c.shardNaming == ShardNaming(prefix: ""))
        var wide = c
        for (dtype, color, pixel) in [
            (OutputFormat.SampleType.uint8, OutputFormat.Color.rgb, 3), (.uint16, .gray, 2), (.uint16, .rgb, 6),
            (.float32, .gray, 4), (.float32, .rgb, 12),
        ] {
            (wide.dtype, wide.color) = (dtype, color)
            #expect(wide.imageBytes == UInt64(128 * 128 * pixel), "\(dtype) \(color)")
            #expect(wide.shardBytes == UInt64(1024 * 128 * 128 * pixel))
            #expect(wide.ringBytes == UInt64(3 * 1024 * 128 * 128 * pixel))
            #expect(wide.engineSettings.slotBytes == Int(wide.shardBytes))
        }
    }

    @Test func keyTableNamesEveryKeyOnce() {
        let names = Configuration.keys.map(\.name)
        #expect(names.count == 28)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "-" } })
        let specified = [
            "ingest", "output", "width", "height", "workers", "shard-size", "idle-flush", "max-shard-age",
            "on-success", "processed-dir", "failed-dir", "interpolation", "max-pixels", "batch-size", "ring-size",
            "follow-symlinks", "decode-timeout", "log-level", "recursive", "rescan-interval", "worker-memory-limit",
            "instance", "dtype", "color", "pages", "resize", "pad-value", "read-ahead",
        ]
        #expect(Set(names) == Set(specified))
        for key in Configuration.keys {
            #expect(!key.summary.isEmpty && !key.allowed.isEmpty, "\(key.name)")
            #expect(!key.defaultText.isEmpty || key.name == "instance", "\(key.name)")
            #expect(key.flagName == "--" + key.name)
        }
    }

    @Test func environmentNamesAreUpperCaseWithUnderscores() {
        #expect(Configuration.key(named: "shard-size")?.environmentName == "TIFFSHARD_SHARD_SIZE")
        #expect(Configuration.key(named: "width")?.environmentName == "TIFFSHARD_WIDTH")
        #expect(Configuration.key(environmentName: "TIFFSHARD_WORKER_MEMORY_LIMIT")?.name == "worker-memory-limit")
        #expect(Configuration.key(named: "nope") == nil)
    }

    @Test func defaultTextsRenderTheDefaults() {
        let texts = Dictionary(uniqueKeysWithValues: Configuration.keys.map { ($0.name, $0.defaultText) })
        #expect(texts["width"] == "128")
        #expect(texts["workers"] == "the CPU count")
        #expect(texts["idle-flush"] == "2s")
        #expect(texts["rescan-interval"] == "0")
        #expect(texts["max-pixels"] == "1073741824")
        #expect(texts["follow-symlinks"] == "false")
        #expect(texts["on-success"] == "move")
        #expect(texts["instance"] == "")
        #expect(texts["dtype"] == "uint8")
        #expect(texts["color"] == "gray")
        #expect(texts["pages"] == "first")
        #expect(texts["resize"] == "stretch")
        #expect(texts["pad-value"] == "0")
        // Every default text (but the CPU-dependent one) is accepted back and yields the default.
        for key in Configuration.keys where key.name != "workers" {
            let c = try? ConfigurationLoader.load(
                fileText: nil, fileOrigin: "", environment: [:], overrides: [(key.name, key.defaultText)], cpuCount: 3
            )
            #expect(c == Configuration(cpuCount: 3), "\(key.name)")
        }
    }

    @Test func renderedValuesAreAcceptedBack() throws {
        var c = Configuration(cpuCount: 2)
        c.idleFlush = .milliseconds(1500)
        c.rescanInterval = .seconds(300)
        c.instance = "host-a.1"
        c.followSymlinks = true
        c.dtype = .float32
        c.color = .rgb
        c.pages = .all
        c.resize = .fit
        c.padValue = -1.25e-7
        let flags = Configuration.keys.map { (key: $0.name, value: $0.text(in: c)) }
        let reloaded = try ConfigurationLoader.load(
            fileText: nil, fileOrigin: "", environment: [:], overrides: flags, cpuCount: 9
        )
        #expect(reloaded == c)
    }

    @Test func suggestionsFindLikelyTypos() {
        #expect(Configuration.suggestion(for: "widht") == "width")
        #expect(Configuration.suggestion(for: "shard_size") == "shard-size")
        #expect(Configuration.suggestion(for: "shardSize") == "shard-size")
        #expect(Configuration.suggestion(for: "TIFFSHARD_WORKER") == "workers")
        #expect(Configuration.suggestion(for: "processed") == "processed-dir")
        #expect(Configuration.suggestion(for: "colour") == "color")
        #expect(Configuration.suggestion(for: "pad_value") == "pad-value")
        #expect(Configuration.suggestion(for: "TIFFSHARD_DTYPES") == "dtype")
        #expect(Configuration.suggestion(for: "quality") == nil)
    }
}
