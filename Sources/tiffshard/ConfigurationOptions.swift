import ArgumentParser
import LinuxSystem
import TiffShardCore

/// `--config FILE` plus one flag per configuration key; flags override the file and the environment.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: "YAML configuration file (see config/tiffshard.yaml).") var config: String?
    @Option(help: "Directory to watch for TIFF files.") var ingest: String?
    @Option(help: "Directory for shard-NNNNNNNN.npy and .jsonl files.") var output: String?
    @Option(help: "Output image width in pixels.") var width: String?
    @Option(help: "Output image height in pixels.") var height: String?
    @Option(help: "Worker processes (default: CPU count).") var workers: String?
    @Option(name: .customLong("shard-size"), help: "Images per shard.") var shardSize: String?
    @Option(name: .customLong("ring-size"), help: "Shared-memory shards in the ring.") var ringSize: String?
    @Option(name: .customLong("batch-size"), help: "Images per batch sent to a worker.") var batchSize: String?
    @Option(name: .customLong("idle-flush"), help: "Seconds without arrivals before a partial shard is published.")
    var idleFlush: String?
    @Option(name: .customLong("max-shard-age"), help: "Publish a shard whose oldest row is this many seconds old.")
    var maxShardAge: String?
    @Option(name: .customLong("on-success"), help: "move, delete or keep the sources once their shard is durable.")
    var onSuccess: String?
    @Option(name: .customLong("processed-dir"), help: "Where `move` puts published sources.") var processedDir: String?
    @Option(name: .customLong("failed-dir"), help: "Where rejected files go (with failures.jsonl).") var failedDir: String?
    @Option(help: "linear, area, nearest, cubic or lanczos.") var interpolation: String?
    @Option(name: .customLong("max-pixels"), help: "Reject images declaring more pixels than this.") var maxPixels: String?
    @Option(name: .customLong("follow-symlinks"), help: "true/false: ingest symlinked files.") var followSymlinks: String?
    @Option(help: "true/false: watch subdirectories too.") var recursive: String?
    @Option(name: .customLong("rescan-interval"), help: "Periodic rescan in seconds (0: off), for network filesystems.")
    var rescanInterval: String?
    @Option(name: .customLong("decode-timeout"), help: "Seconds one image may take before its worker is killed.")
    var decodeTimeout: String?
    @Option(name: .customLong("worker-memory-limit"), help: "Address space a worker may add for decoding, MiB, on top of what it maps at start (code, libraries, ring).")
    var workerMemoryLimit: String?
    @Option(help: "Shard name prefix (several daemons publishing into one store).") var instance: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    /// The flags given on the command line, as (key, value) in a fixed order.
    var overrides: [(key: String, value: String)] {
        let all: [(String, String?)] = [
            ("ingest", ingest), ("output", output), ("width", width), ("height", height), ("workers", workers),
            ("shard-size", shardSize), ("ring-size", ringSize), ("batch-size", batchSize), ("idle-flush", idleFlush),
            ("max-shard-age", maxShardAge), ("on-success", onSuccess), ("processed-dir", processedDir),
            ("failed-dir", failedDir), ("interpolation", interpolation), ("max-pixels", maxPixels),
            ("follow-symlinks", followSymlinks), ("recursive", recursive), ("rescan-interval", rescanInterval),
            ("decode-timeout", decodeTimeout), ("worker-memory-limit", workerMemoryLimit), ("instance", instance),
            ("log-level", logLevel),
        ]
        return all.compactMap { key, value in value.map { (key, $0) } }
    }

    /// Loads file + environment + flags. Throws `ConfigurationFailure` with a message for the user.
    func load() throws -> LoadedConfiguration {
        var text: String?
        if let config {
            do { text = String(decoding: try FileSystem.readFile(config), as: UTF8.self) } catch {
                throw ConfigurationFailure(message: "cannot read configuration file \(config): \(error)")
            }
        }
        var environment: [String: String] = [:]
        for entry in Environment.all {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        do {
            return try ConfigurationLoader.resolve(
                fileText: text, fileOrigin: config ?? "", environment: environment, overrides: overrides,
                cpuCount: SystemInfo.onlineProcessorCount)
        } catch {
            throw ConfigurationFailure(message: "\(error)")
        }
    }
}

/// A configuration that cannot be used; exits with status 78 (EX_CONFIG).
struct ConfigurationFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
