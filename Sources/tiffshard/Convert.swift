import ArgumentParser
import LinuxSystem
import Logging
import TiffShardCore
import TiffShardDaemon

/// `tiffshard convert SRC OUT`: the pipeline once over a folder.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert every TIFF in SRC into .npy shards in OUT, in sorted order, and exit.",
        discussion: """
            Exit status: 0 when the run completed (rejected files are listed in OUT/rejected.jsonl), \
            64 usage error, 66 SRC unreadable, 74 I/O error on OUT, 130 interrupted.
            """)

    @Argument(help: "Directory of TIFF files.") var source: String
    @Argument(help: "Output directory for shard-NNNNNNNN.npy/.jsonl (created if missing; numbering continues).")
    var output: String
    @Option(help: "Output image width in pixels.") var width: Int
    @Option(help: "Output image height in pixels.") var height: Int
    @Option(help: "Worker processes (default: CPU count).") var workers: Int?
    @Option(name: .customLong("shard-size"), help: "Images per shard.") var shardSize: Int = 1024
    @Option(help: "linear, area, nearest, cubic or lanczos.") var interpolation: String = "linear"
    @Flag(help: "Descend into subdirectories.") var recursive = false
    @Option(name: .customLong("max-pixels"), help: "Reject images declaring more pixels than this.")
    var maxPixels: UInt64 = 1 << 30
    @Option(name: .customLong("batch-size"), help: "Images per batch sent to a worker.") var batchSize: Int = 16
    @Option(name: .customLong("ring-size"), help: "Shared-memory shards in the ring.") var ringSize: Int = 3
    @Option(name: .customLong("decode-timeout"), help: "Seconds one image may take before its worker is killed and the file rejected.")
    var decodeTimeout: Double = 30
    @Option(name: .customLong("worker-memory-limit"), help: "Address space a worker may add for decoding, MiB, on top of what it maps at start (code, libraries, ring).")
    var workerMemoryLimit: UInt64 = 2048
    @Flag(name: .customLong("no-progress"), help: "No progress bar even on a terminal.") var noProgress = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "error"

    func validate() throws {
        guard (1...65535).contains(width) else { throw ValidationError("--width must be 1...65535, got \(width)") }
        guard (1...65535).contains(height) else { throw ValidationError("--height must be 1...65535, got \(height)") }
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be 1...256, got \(workers)") }
        guard (1...1_000_000).contains(shardSize) else { throw ValidationError("--shard-size must be 1...1000000") }
        guard (2...16).contains(ringSize) else { throw ValidationError("--ring-size must be 2...16") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be 1...4096") }
        guard Interpolation(rawValue: interpolation) != nil else {
            throw ValidationError("--interpolation must be one of: \(Interpolation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard decodeTimeout > 0, decodeTimeout <= 86_400 else {
            throw ValidationError("--decode-timeout must be more than 0 and at most 86400 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        guard UInt64(width) * UInt64(height) * UInt64(shardSize) * UInt64(ringSize) <= 16 << 30 else {
            throw ValidationError("ring of \(ringSize) x \(shardSize) x \(height) x \(width) bytes exceeds 16 GiB; lower --shard-size")
        }
    }

    func run() throws {
        try ProcessSetup.prepareSupervisor()
        let logger = Bootstrap.logger(level: Logger.Level(rawValue: logLevel)!)
        let settings = EngineSettings(
            width: width, height: height, shardSize: shardSize, ringSize: ringSize,
            interpolation: Interpolation(rawValue: interpolation)!, maxPixels: maxPixels,
            workerCount: workers ?? SystemInfo.onlineProcessorCount, batchSize: batchSize, idleFlush: nil,
            maxShardAge: nil, decodeTimeout: .milliseconds(Int64((decodeTimeout * 1000).rounded())))
        let converter = Converter(
            options: .init(
                source: source, output: output, settings: settings, recursive: recursive,
                workerMemoryLimitMiB: workerMemoryLimit, executable: ChildProcess.currentExecutablePath,
                showProgress: !noProgress && Terminal.isTerminal(.standardError)),
            logger: logger)
        let code = converter.run()
        if code != 0 { throw ExitCode(code) }
    }
}
