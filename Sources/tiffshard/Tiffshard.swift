import ArgumentParser

/// The `tiffshard` command line.
@main
struct Tiffshard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiffshard",
        abstract: "Turn TIFF images into NumPy shards: continuously as a daemon, or once over a folder.",
        subcommands: [Run.self, Convert.self, Index.self, Inspect.self, CheckConfig.self, Worker.self]
    )
}
