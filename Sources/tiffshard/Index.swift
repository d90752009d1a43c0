import ArgumentParser
import TiffShardDaemon

/// `tiffshard index OUT`: the global shard order and whether every partition is complete, as `OUT/index.json`.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write OUT/index.json: every shard of OUT in global order, its rows, and whether the dataset is complete.",
        discussion: """
            Works on the output of partitioned convert tasks (part-IIII-of-NNNN.*: complete when every partition \
            0..N-1 has its part-IIII-of-NNNN.done.json), of daemons with instance prefixes, and of a single \
            convert. Order: writers by instance name (none first), partitions in order, then shard sequence. \
            Exit status: 0 written, 65 incomplete (what is missing is listed; nothing written unless \
            --allow-incomplete), 66 OUT unreadable, 74 index.json cannot be written.
            """)

    @Argument(help: "The output folder.") var output: String
    @Flag(help: "Index what is there even when partitions are missing or unfinished (\"complete\": false).")
    var allowIncomplete = false

    func run() throws {
        let code = Indexer(output: output, allowIncomplete: allowIncomplete).run()
        if code != 0 { throw ExitCode(code) }
    }
}
