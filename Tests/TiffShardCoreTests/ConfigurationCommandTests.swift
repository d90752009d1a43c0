import Testing

@testable import TiffShardCore

/// The keys of `convert` against those of `run`: one table, one loader, per-command defaults and requirements.
@Suite struct ConfigurationCommandTests {
    private func convert(
        _ yaml: String? = nil, environment: [String: String] = [:], flags: [(key: String, value: String)]
    ) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader.resolve(
            fileText: yaml, fileOrigin: "/etc/x.yaml", environment: environment, overrides: flags, cpuCount: 4,
            command: .convert)
    }

    private let geometry: [(key: String, value: String)] = [("width", "32"), ("height", "24")]

    @Test func convertReadsTheOneShotKeysOnly() {
        let names = Configuration.keys(for: .convert).map(\.name)
        #expect(
            names == [
                "width", "height", "interpolation", "dtype", "color", "pages", "resize", "pad-value", "max-pixels",
                "shard-size", "ring-size", "workers", "batch-size",
                "decode-timeout", "worker-memory-limit", "read-ahead", "recursive", "log-level",
            ])
        #expect(Configuration.keys(for: .run).count == Configuration.keys.count)
    }

    @Test func defaultsComeFromTheTablePerCommand() {
        let run = Configuration(defaultsFor: .run, cpuCount: 3)
        let convert = Configuration(defaultsFor: .convert, cpuCount: 3)
        #expect(run == Configuration(cpuCount: 3))
        #expect(run.logLevel == "info" && convert.logLevel == "error")
        #expect(convert.workers == 3 && convert.shardSize == 1024 && convert.decodeTimeout == .seconds(30))
        for key in Configuration.keys where key.name != "workers" {
            #expect(key.text(in: run) == key.defaultText, "\(key.name)")
            #expect(key.text(in: convert) == key.defaultText(for: .convert), "\(key.name)")
        }
    }

    @Test func convertNeedsWidthAndHeightGiven() throws {
        let error = #expect(throws: ConfigurationError.self) { try convert(flags: [("height", "8")]) }
        #expect(error?.kind == .missingValue && error?.key == "width" && error?.origin == "--width")
        #expect(
            error?.description
                == "missing value for width: give --width (or TIFFSHARD_WIDTH, or width in the --config file): "
                + "expected an integer from 1 to 65535")
        let fromEnvironment = try convert(environment: ["TIFFSHARD_WIDTH": "16"], flags: [("height", "8")])
        #expect(fromEnvironment.configuration.width == 16)
        #expect(fromEnvironment.origins["width"] == "environment TIFFSHARD_WIDTH")
        // `run` has defaults for both.
        #expect(configurationLoadError() == nil)
    }

    @Test func convertAppliesFlagsOverEnvironmentOverFileOverDefaults() throws {
        let loaded = try convert(
            "shard-size: 10\nbatch-size: 3\nring-size: 4\n",
            environment: ["TIFFSHARD_SHARD_SIZE": "20", "TIFFSHARD_BATCH_SIZE": "5"], flags: geometry + [("shard-size", "30")])
        #expect(loaded.configuration.shardSize == 30 && loaded.configuration.batchSize == 5)
        #expect(loaded.configuration.ringSize == 4 && loaded.configuration.batchSize == 5)
        #expect(loaded.origins["ring-size"] == "/etc/x.yaml:3")
        #expect(loaded.origins["interpolation"] == "default")
    }

    @Test func convertIgnoresTheDaemonsOwnVariablesAndFileKeys() throws {
        // One environment or file can serve both commands: ingest and friends do not disturb convert...
        let loaded = try convert(
            "ingest: ./in\noutput: ./in\n", environment: ["TIFFSHARD_INGEST": "", "TIFFSHARD_IDLE_FLUSH": "nonsense"],
            flags: geometry)
        #expect(loaded.configuration.width == 32)
        // ...but a file is still checked as a whole, and a flag convert does not have is unknown.
        #expect(throws: ConfigurationError.self) { try convert("idle-flush: nonsense\n", flags: geometry) }
        let error = #expect(throws: ConfigurationError.self) { try convert(flags: geometry + [("ingest", "./x")]) }
        #expect(error?.description == "unknown key 'ingest' from --ingest")
    }

    @Test func convertMessagesAreTheDaemons() {
        let error = #expect(throws: ConfigurationError.self) { try convert(flags: geometry + [("workers", "0")]) }
        #expect(error?.description == configurationLoadError(flags: [("workers", "0")])?.description)
        #expect(error?.description == "invalid value '0' for workers (from --workers): expected an integer from 1 to 256")
        let ring = #expect(throws: ConfigurationError.self) {
            try convert(flags: [("width", "65535"), ("height", "65535")])
        }
        #expect(ring?.key == "shard-size" && ring?.origin == "default")
    }

    @Test func everyKeyCarriesHelpForEachOfItsCommands() {
        for key in Configuration.keys {
            #expect(!key.commands.isEmpty, "\(key.name)")
            #expect(key.requiredBy.isSubset(of: key.commands), "\(key.name)")
            for command in key.commands {
                let help = key.help(for: command)
                #expect(help.hasPrefix(key.summary) && help.contains(key.allowed), "\(key.name)")
            }
        }
    }
}
