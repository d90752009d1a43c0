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
            Settings are the daemon's configuration keys that apply to one-shot conversion, checked the same \
            way. Precedence: flags > TIFFSHARD_<KEY> environment variables > --config file > defaults; \
            --width and --height have no default. Exit status: 0 when the run completed (rejected files \
            are listed in OUT/rejected.jsonl), 64 usage error (including an invalid flag value), 66 SRC \
            unreadable, 74 I/O error on OUT, 78 invalid value in the environment or the --config file, \
            130 interrupted; with --partition also 65 when OUT holds this partition of another file list.
            """)

    @Argument(help: "Directory of TIFF files.") var source: String
    @Argument(help: """
        Output directory for shard-NNNNNNNN.npy/.jsonl (created if missing; numbering continues), or with a \
        partition part-IIII-of-NNNN.shard-NNNNNNNN.npy/.jsonl and part-IIII-of-NNNN.done.json (a rerun continues \
        the partition, or does nothing once it is done).
        """)
    var output: String
    @OptionGroup var options: ConvertOptions
    @Flag(name: .customLong("no-progress"), help: "No progress bar even on a terminal.") var noProgress = false
    @Flag(help: """
        At the end, print one JSON object on standard output: source, output, partition, images, sources, shards,         rejected, rejected_by_category, worker_crashes, publication_failures, seconds, images_per_second, exit_code.
        """)
    var json = false
    @Option(help: """
        Convert only partition I of N of SRC (contiguous ranges of the sorted file list), restartably, finished \
        by OUT/part-IIII-of-NNNN.done.json. Expected I/N with 0 <= I < N <= 100000, e.g. 3/16. Default: \
        TIFFSHARD_PARTITION, else SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT (or the array \
        index of TIFFSHARD_PARTITIONS), else JOB_COMPLETION_INDEX of TIFFSHARD_PARTITIONS, else the whole folder.
        """)
    var partition: String?

    func validate() throws {
        _ = try configuration()
        if let partition {
            do { _ = try Partition(parsing: partition) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        let configuration = try configuration()
        let partition = try resolvedPartition()
        try ProcessSetup.prepareSupervisor()
        let logger = Bootstrap.logger(level: Logger.Level(rawValue: configuration.logLevel) ?? .error)
        // One-shot mode seals shards when they are full and at the end, never on a timer.
        var settings = configuration.engineSettings
        settings.idleFlush = nil
        settings.maxShardAge = nil
        let converter = Converter(
            options: .init(
                source: source, output: output, settings: settings, recursive: configuration.recursive,
                workerMemoryLimitMiB: configuration.workerMemoryLimit, executable: ChildProcess.currentExecutablePath,
                showProgress: !noProgress && Terminal.isTerminal(.standardError), partition: partition, json: json),
            logger: logger)
        let code = converter.run()
        if code != 0 { throw ExitCode(code) }
    }

    /// `--partition`, else `TIFFSHARD_PARTITION` or the scheduler's variables (a Slurm array task, a Kubernetes
    /// Indexed Job pod), else nil: the whole folder. Variables that do not describe one partition exit 78,
    /// never fall back to converting everything.
    private func resolvedPartition() throws -> Partition? {
        if let partition { return try Partition(parsing: partition) }
        do {
            return try Partition.fromEnvironment(Environment.dictionary)?.partition
        } catch {
            StandardError.write("tiffshard: invalid configuration: \(error)\n")
            throw ExitCode(ExitCodes.config)
        }
    }

    /// The loaded settings; a bad flag is a usage error (64), a bad variable or file line exits 78.
    private func configuration() throws -> Configuration {
        do {
            return try options.load().configuration
        } catch where error.isUsageError {
            throw ValidationError(error.message)
        } catch {
            StandardError.write("tiffshard: invalid configuration: \(error)\n")
            throw ExitCode(ExitCodes.config)
        }
    }
}
