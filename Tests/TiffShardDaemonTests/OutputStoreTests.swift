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
}
