import Testing

@testable import TiffShardCore

/// Layering (defaults <- file <- environment <- flags), origins, cross-key checks and `explain`.
@Suite struct ConfigurationLoaderTests {
    private func resolve(
        _ yaml: String?, environment: [String: String] = [:], flags: [(key: String, value: String)] = []
    ) throws -> LoadedConfiguration {
        try ConfigurationLoader.resolve(
            fileText: yaml, fileOrigin: "/etc/tiffshard/tiffshard.yaml", environment: environment,
            overrides: flags, cpuCount: 2
        )
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let yaml = "width: 10\nheight: 20\nshard-size: 30\n"
        let environment = ["TIFFSHARD_HEIGHT": "21", "TIFFSHARD_SHARD_SIZE": "31", "PATH": "/usr/bin"]
        let loaded = try resolve(yaml, environment: environment, flags: [("shard-size", "32")])
        let c = loaded.configuration
        #expect(c.width == 10 && c.height == 21 && c.shardSize == 32 && c.ringSize == 3)
        #expect(loaded.origins["width"] == "/etc/tiffshard/tiffshard.yaml:1")
        #expect(loaded.origins["height"] == "environment TIFFSHARD_HEIGHT")
        #expect(loaded.origins["shard-size"] == "--shard-size")
        #expect(loaded.origins["ring-size"] == "default")
        #expect(loaded.origins.count == Configuration.keys.count)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func laterFlagsWinOverEarlierOnes() throws {
        let c = try resolve(nil, flags: [("width", "5"), ("width", "6")]).configuration
        #expect(c.width == 6)
    }

    @Test func nullOrEmptyRestoresTheDefault() throws {
        let loaded = try resolve(
            "width: ~\nheight: null\nworkers:\ninstance: ''\n", environment: ["TIFFSHARD_SHARD_SIZE": ""],
            flags: [("ring-size", "4")]
        )
        var expected = Configuration(cpuCount: 2)
        expected.ringSize = 4
        #expect(loaded.configuration == expected)
        #expect(loaded.origins["workers"] == "/etc/tiffshard/tiffshard.yaml:3")
        #expect(loaded.origins["shard-size"] == "environment TIFFSHARD_SHARD_SIZE")
    }

    @Test func anEmptyVariableResetsAValueFromTheFile() throws {
        let c = try resolve("width: 10\n", environment: ["TIFFSHARD_WIDTH": ""]).configuration
        #expect(c.width == 128)
    }

    @Test func aBadValueInALowerLayerIsAnErrorEvenIfOverridden() {
        let error = configurationLoadError("width: abc\n", flags: [("width", "64")])
        #expect(error?.origin == "/etc/x.yaml:1" && error?.value == "abc")
    }

    @Test func unknownKeysAreErrorsWithASuggestion() {
        let inFile = configurationLoadError("# c\n\nwidht: 3\n")
        #expect(
            inFile
                == ConfigurationError(
                    kind: .unknownKey(suggestion: "width"), key: "widht", value: "3",
                    allowed: "one of " + Configuration.keys.map(\.name).joined(separator: ", "), origin: "/etc/x.yaml:3"
                )
        )
        #expect(inFile?.description == "unknown key 'widht' in /etc/x.yaml:3 (did you mean 'width'?)")
        let flag = configurationLoadError(flags: [("shard_size", "3")])
        #expect(flag?.description == "unknown key 'shard_size' from --shard_size (did you mean 'shard-size'?)")
        #expect(configurationLoadError("quality: 9\n")?.description == "unknown key 'quality' in /etc/x.yaml:1")
        #expect(
            configurationLoadError("colour: rgb\n")?.description
                == "unknown key 'colour' in /etc/x.yaml:1 (did you mean 'color'?)")
    }

    @Test func unknownTiffshardVariablesAreWarningsNotErrors() throws {
        let loaded = try resolve(nil, environment: ["TIFFSHARD_WIDHT": "3", "TIFFSHARD_CONFIG": "/x", "HOME": "/"])
        #expect(
            loaded.warnings == [
                "environment variable TIFFSHARD_CONFIG names no configuration key",
                "environment variable TIFFSHARD_WIDHT names no configuration key (did you mean TIFFSHARD_WIDTH?)",
            ]
        )
        #expect(loaded.configuration == Configuration(cpuCount: 2))
    }

    @Test func theShardRingMustFitIn16GiB() throws {
        // 4096 x 4096 x 256 x 4 = 16 GiB exactly: allowed; one more row is not.
        let fits: [(key: String, value: String)] = [
            ("width", "4096"), ("height", "4096"), ("shard-size", "256"), ("ring-size", "4"),
        ]
        #expect(try resolve(nil, flags: fits).configuration.ringBytes == 16 << 30)
        let error = configurationLoadError(flags: fits + [("shard-size", "257")])
        #expect(error?.key == "shard-size" && error?.value == "257" && error?.origin == "--shard-size")
        #expect(
            error?.description
                == "invalid value '257' for shard-size (from --shard-size): expected at most 256 for 4096x4096 "
                + "uint8 gray images (1 byte per pixel) and ring-size 4, so that the shard ring "
                + "(ring-size x shard-size x width x height x bytes per pixel) fits in 16 GiB"
        )
        let huge = configurationLoadError(flags: [("width", "65535"), ("height", "65535"), ("ring-size", "16")])
        #expect(huge?.key == "shard-size" && huge?.origin == "default")
        #expect(huge?.allowed.hasPrefix("a smaller width, height, dtype, color or ring-size") == true)
    }

    @Test(arguments: ["output", "processed-dir", "failed-dir"])
    func ingestMustDifferFromTheOtherDirectories(name: String) {
        let error = configurationLoadError("ingest: /srv/in/\n", flags: [(name, "/srv//in/.")])
        #expect(
            error
                == ConfigurationError(
                    kind: .invalidValue, key: name, value: "/srv//in/.",
                    allowed: "a directory other than the ingest directory '/srv/in/' (from /etc/x.yaml:1)",
                    origin: "--\(name)"
                )
        )
    }

    @Test func relativeDirectoriesAreComparedLexically() {
        #expect(configurationLoadError(flags: [("output", "ingest/")])?.key == "output")
        #expect(configurationLoadError(flags: [("ingest", "."), ("failed-dir", "./")])?.key == "failed-dir")
        #expect(configurationLoadError(flags: [("output", "../ingest")]) == nil)
    }

    @Test func recursiveIngestMustNotContainProcessedOrFailed() {
        let nested: [(key: String, value: String)] = [("ingest", "/srv/in"), ("processed-dir", "/srv/in/done")]
        #expect(configurationLoadError(flags: nested) == nil)
        let error = configurationLoadError(flags: nested + [("recursive", "true")])
        #expect(error?.key == "processed-dir" && error?.origin == "--processed-dir")
        #expect(error?.allowed.contains("outside the ingest directory '/srv/in' (from --ingest)") == true)
        #expect(configurationLoadError(flags: [("ingest", "."), ("recursive", "1")])?.key == "processed-dir")
        #expect(configurationLoadError(flags: [("ingest", "/srv/in"), ("recursive", "1")]) == nil)
        #expect(
            configurationLoadError(flags: [("ingest", "/srv/in"), ("failed-dir", "/srv/inbox"), ("recursive", "1")])
                == nil
        )
    }

    @Test func explainListsEveryKeyWithValueAndOrigin() throws {
        let loaded = try resolve(
            "output: /srv/shards\ninstance: ''\n", environment: ["TIFFSHARD_WIDTH": "64", "TIFFSHARD_X": "1"],
            flags: [("idle-flush", "500ms")]
        )
        let text = ConfigurationLoader.explain(loaded)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + Configuration.keys.count + 3)
        func row(_ name: String) -> [Substring]? {
            lines.first { $0.hasPrefix(name + " ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        }
        #expect(row("key") == ["key", "value", "from"])
        #expect(row("output") == ["output", "/srv/shards", "/etc/tiffshard/tiffshard.yaml:1"])
        #expect(row("width") == ["width", "64", "environment", "TIFFSHARD_WIDTH"])
        #expect(row("idle-flush") == ["idle-flush", "0.5s", "--idle-flush"])
        #expect(row("instance") == ["instance", "\"\"", "/etc/tiffshard/tiffshard.yaml:2"])
        #expect(row("workers") == ["workers", "2", "default"])
        #expect(lines.contains("shard: 1024 images of 64x128 uint8 gray = 8 MiB per .npy file"))
        #expect(lines.contains("ring: 3 shards = 24 MiB of shared memory; 2 workers, each limited to 2048 MiB more"))
        #expect(lines.last == "warning: environment variable TIFFSHARD_X names no configuration key")
        // Columns line up: every value starts at the same offset.
        let column = Configuration.keys.map(\.name.count).max()! + 2
        for line in lines.prefix(Configuration.keys.count + 1) {
            let characters = Array(line)
            #expect(characters[column - 1] == " " && characters[column] != " ", "\(line)")
        }
    }
}
