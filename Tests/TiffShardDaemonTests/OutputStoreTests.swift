import LinuxSystem
import Logging
import TestSupport
import TiffShardCore
import Testing

@testable import TiffShardDaemon

/// Start-up recovery of the output directory against real files: what is deleted, what is kept, and
/// where numbering continues.
@Suite struct OutputStoreTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func touch(_ directory: TemporaryDirectory, _ names: [String]) throws {
        for name in names { try directory.write(name, bytes: [0]) }
    }

    @Test func missingDirectoryIsCreatedAndNumberingStartsAtZero() throws {
        let root = try TemporaryDirectory("daemon")
        defer { root.remove() }
        let store = OutputStore(directory: root("out/nested"), naming: ShardNaming())
        #expect(try store.recover(logger: logger) == 0)
        #expect(try FileSystem.status(root("out/nested")).kind == .directory)
    }

    @Test func temporaryFilesAndOrphanManifestsAreRemovedAndPublishedShardsKept() throws {
        let root = try TemporaryDirectory("daemon")
        defer { root.remove() }
        try touch(root, [
            "shard-00000000.npy", "shard-00000000.jsonl", "shard-00000001.npy", "shard-00000001.jsonl",
            // A crash between the two renames: the manifest is published, its array is not.
            "shard-00000002.jsonl",
            // A crash while writing: hidden temporaries of the next shard.
            ".shard-00000002.npy.tmp", ".shard-00000002.jsonl.tmp",
            // Not ours: left alone.
            "notes.txt", "shard-1.npy", ".hidden",
        ])
        let next = try OutputStore(directory: root.path, naming: ShardNaming()).recover(logger: logger)
        #expect(next == 2)
        #expect(root.list(".") == [
            ".hidden", "notes.txt", "shard-00000000.jsonl", "shard-00000000.npy", "shard-00000001.jsonl",
            "shard-00000001.npy", "shard-1.npy",
        ])
    }

    @Test func nextSequenceFollowsTheHighestPublishedArrayNotAnOrphanManifest() throws {
        let root = try TemporaryDirectory("daemon")
        defer { root.remove() }
        try touch(root, ["shard-00000004.npy", "shard-00000004.jsonl", "shard-00000009.jsonl"])
        #expect(try OutputStore(directory: root.path, naming: ShardNaming()).recover(logger: logger) == 5)
        #expect(root.list(".") == ["shard-00000004.jsonl", "shard-00000004.npy"])
    }

    @Test func anInstancePrefixSeesOnlyItsOwnShards() throws {
        let root = try TemporaryDirectory("daemon")
        defer { root.remove() }
        try touch(root, [
            "a-shard-00000001.npy", "a-shard-00000001.jsonl", "b-shard-00000007.npy", "b-shard-00000008.jsonl",
            ".b-shard-00000009.npy.tmp",
        ])
        #expect(try OutputStore(directory: root.path, naming: ShardNaming(prefix: "a")).recover(logger: logger) == 2)
        // b's orphan manifest and temporary file belong to another daemon: not a's to clean.
        #expect(root.list(".") == [
            ".b-shard-00000009.npy.tmp", "a-shard-00000001.jsonl", "a-shard-00000001.npy", "b-shard-00000007.npy",
            "b-shard-00000008.jsonl",
        ])
    }

    /// Start-up recovery with `pages: all`: a file whose pages are all in manifests is published; one cut off
    /// between two shards (by a kill) resumes at its first missing page; manifests of other prefixes, and lines
    /// of files no longer present, do not count.
    @Test func theLedgerTellsPublishedFilesFromFilesCutOffBetweenShards() throws {
        let root = try TemporaryDirectory("daemon")
        defer { root.remove() }
        func id(_ name: String) -> SourceIdentity { SourceIdentity(relativePath: SourcePath(name), size: 9, modificationTimeNanoseconds: 5) }
        func line(_ name: String, page: Int, pages: Int) -> String {
            var text = ManifestRecord(row: 0, source: id(name), info: SourceInfo(
                width: 1, height: 1, bitsPerSample: 8, channels: 1, pages: UInt32(pages))).encoded()
            text.removeLast()
            return text + #", "page": \#(page)}"# + "\n"
        }
        _ = try root.write("shard-00000000.jsonl", bytes: Array((line("whole.tif", page: 0, pages: 2) + line("cut.tif", page: 0, pages: 3)).utf8))
        _ = try root.write("shard-00000001.jsonl", bytes: Array((line("whole.tif", page: 1, pages: 2) + line("cut.tif", page: 1, pages: 3)
            + line("gone.tif", page: 0, pages: 1)).utf8))
        _ = try root.write("other-shard-00000000.jsonl", bytes: Array(line("cut.tif", page: 2, pages: 3).utf8))
        let store = OutputStore(directory: root.path, naming: ShardNaming())
        let ledger = try store.ledger(among: [id("whole.tif"), id("cut.tif")])
        #expect(ledger.complete(for: .all) == [id("whole.tif")])
        #expect(ledger.resumable(for: .all) == [id("cut.tif"): PublishedPages(count: 2, total: 3)])
        #expect(Set(ledger.complete(for: .first)) == [id("whole.tif"), id("cut.tif")])
    }
}
