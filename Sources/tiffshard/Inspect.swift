import ArgumentParser
import TiffShardDaemon

/// `tiffshard inspect OUT`: is this output folder consistent, and what is in it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an output folder: every shard's .npy header and size, its manifest, every source once.",
        discussion: """
            Reads every published shard (the .npy header, its size against the header, the manifest: one line \
            per row, rows in order) and checks that no source page is in two rows of the folder. Gaps in the \
            numbering and leftovers of interrupted publications are explained as notes, not errors. Prints a \
            summary (images, shards, bytes, geometries, dtypes, writers), or one JSON object with --json. \
            Exit status: 0 consistent, 1 problems found (listed), 66 OUT unreadable.
            """)

    @Argument(help: "The output folder.") var output: String
    @Flag(help: "Print one JSON object: consistent, images, shard_count, bytes, geometries, dtypes, writers, problems, notes, shards.")
    var json = false

    func run() throws {
        let code = Inspector(output: output, json: json).run()
        if code != 0 { throw ExitCode(code) }
    }
}
