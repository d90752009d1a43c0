import ArgumentParser
import LinuxSystem
import TiffShardCore
import TiffShardDaemon

/// `tiffshard check-config`: validate and explain; usable as `ExecStartPre=`.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print every key with its value and origin (exit 0 or 78).")

    @OptionGroup var options: ConfigurationOptions
    @Flag(name: .shortAndLong, help: "Print nothing when the configuration is valid.") var quiet = false

    func run() throws {
        let loaded: LoadedConfiguration
        do { loaded = try options.load() } catch {
            StandardError.write("tiffshard: invalid configuration: \(error)\n")
            throw ExitCode(ExitCodes.config)
        }
        guard !quiet else { return }
        let text = ConfigurationLoader.explain(loaded)
        StandardOutput.write(text)
    }
}
