import ArgumentParser
import LinuxSystem
import Logging
import TiffShardCore
import TiffShardDaemon

/// `tiffshard run`: the daemon.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the ingest directory and publish shards continuously (systemd Type=notify service).",
        discussion: """
            Precedence: flags > TIFFSHARD_<KEY> environment variables > --config file > defaults \
            (every key, its default and what it accepts: config/tiffshard.yaml, or check-config). \
            Signals: SIGTERM/SIGINT stop after publishing the partial shard (exit 0); SIGHUP reloads the \
            configuration. Exit status: 0 clean stop, 64 usage, 70 internal error, 74 I/O error (ingest \
            directory gone, output unwritable), 78 invalid configuration.
            """)

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let loaded: LoadedConfiguration
        do { loaded = try options.load() } catch {
            StandardError.write("tiffshard: invalid configuration: \(error)\n")
            throw ExitCode(ExitCodes.config)
        }
        try ProcessSetup.prepareSupervisor()
        let logger = Bootstrap.logger(level: Logger.Level(rawValue: loaded.configuration.logLevel) ?? .info)
        for warning in loaded.warnings { logger.warning("\(warning)") }
        let options = self.options
        let daemon = Daemon(
            configuration: loaded.configuration, executable: ChildProcess.currentExecutablePath, logger: logger,
            reload: { try options.load().configuration })
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }
}
