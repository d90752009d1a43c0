import Foundation
import TiffShardCore
import LinuxSystem
import Glibc
import Testing
import TestSupport

/// What `tiffshard run` ingests, when, and what it does with sources and bad files.
@Suite(.serialized)
struct DaemonIngestTests {
    @Test func filesWrittenInPlaceCopiedAndRenamedInAreIngestedExactlyOnce() throws {
        let h = try DaemonHarness("ingest")
        try h.start()
        try MiniTIFF.write(h.ingest + "/inplace.tif", seed: 1)
        let outside = h.root("outside.tif")
        try MiniTIFF.write(outside, seed: 2)
        let copy = try CommandRunner.run("/bin/cp", [outside, h.ingest + "/copied.tif"])
        #expect(copy.status == 0)
        try MiniTIFF.write(h.root("moved.tif"), seed: 3)
        #expect(rename(h.root("moved.tif"), h.ingest + "/renamed.TIFF") == 0)
        try MiniTIFF.writeAndRename(h.ingest + "/viatemp.tif", seed: 4)
        #expect(h.waitForRows(4))
        // Anything ingested twice would be published before a file dropped after all of them.
        #expect(try h.barrier().sorted() == ["copied.tif", "inplace.tif", "renamed.TIFF", "viatemp.tif"])
        #expect(h.root.list("processed") == ["copied.tif", "inplace.tif", "renamed.TIFF", "viatemp.tif", DaemonHarness.barrierName])
        #expect(h.stop() == 0)
    }

    @Test func aFileStillBeingWrittenIsNotReadEarly() throws {
        let h = try DaemonHarness("partial")
        try h.start()
        let bytes = MiniTIFF.encode(width: 96, height: 64, seed: 9)
        let path = h.ingest + "/slow.tif"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count / 2) }
        usleep(1_200_000)  // the stimulus: the writer pauses longer than the settle interval
        // A premature read would be rejected or published before a file dropped after it.
        #expect(try h.barrier().isEmpty)
        #expect(h.root.list("failed").isEmpty)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + bytes.count / 2, bytes.count - bytes.count / 2) }
        close(fd)
        #expect(h.waitForRows(2))
        #expect(try h.publishedSources() == [DaemonHarness.barrierName, "slow.tif"])
        #expect(h.stop() == 0)
    }

    @Test func filesPresentBeforeStartupAreIngested() throws {
        let h = try DaemonHarness("startup")
        for i in 0..<10 { try MiniTIFF.write(h.ingest + "/pre\(i).tif", seed: UInt32(i)) }
        // Files that arrived while the daemon was down are older than the settle time.
        let old = Date().addingTimeInterval(-60)
        for i in 0..<10 { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: h.ingest + "/pre\(i).tif") }
        try h.start()
        #expect(h.waitForRows(10))
        #expect(try h.publishedSources().sorted() == (0..<10).map { "pre\($0).tif" }.sorted())
        #expect(h.stop() == 0)
    }

    @Test func hiddenAndTemporaryNamesAreIgnored() throws {
        let h = try DaemonHarness("hidden")
        try h.start()
        for name in [".hidden.tif", "a.tif.part", "b.tif.partial", "c.tif.tmp", ".rsync.tif.Ab12Cd", "notes.txt"] {
            try MiniTIFF.write(h.ingest + "/" + name)
        }
        try MiniTIFF.writeAndRename(h.ingest + "/real.tif")
        #expect(h.waitForRows(1))
        #expect(try h.barrier() == ["real.tif"])
        #expect(h.root.list("failed").isEmpty)
        #expect(h.stop() == 0)
    }

    @Test func rejectedFilesAreQuarantinedWithAReason() throws {
        let h = try DaemonHarness("reject")
        try h.start()
        try Data("not a tiff at all".utf8).write(to: URL(fileURLWithPath: h.ingest + "/junk.tif"))
        try Data().write(to: URL(fileURLWithPath: h.ingest + "/empty.tif"))
        try FileManager.default.createSymbolicLink(atPath: h.ingest + "/link.tif", withDestinationPath: h.root("outside.tif"))
        try MiniTIFF.write(h.root("outside.tif"))
        // A symlink appears by creation, not close/rename: the start-up scan or a rescan sees it. Restart
        // to exercise the scan path for it.
        #expect(eventually { h.root.list("failed").contains("failures.jsonl") && h.root.list("failed").count >= 3 })
        #expect(h.stop() == 0)
        try h.start()
        #expect(eventually { h.root.list("failed").contains("link.tif") })
        let failures = try String(contentsOfFile: h.failed + "/failures.jsonl", encoding: .utf8)
        #expect(failures.contains("\"source\": \"junk.tif\""))
        #expect(failures.contains("not a TIFF"))
        #expect(failures.contains("\"source\": \"link.tif\"") && failures.contains("symlink"))
        #expect(failures.contains("\"category\": \"not-tiff\"") && failures.contains("\"category\": \"empty\""))
        #expect(failures.contains("\"category\": \"symlink\""))
        #expect(h.root.list("ingest").isEmpty)
        #expect(try h.publishedSources().isEmpty)
        #expect(h.stop() == 0)
    }

    /// A kill between the `failures.jsonl` append and the move to failed-dir leaves a recorded file in the
    /// ingest directory: the next start moves it without writing a second record. Every record has a category.
    @Test func aRejectedFileRecordedBeforeAKillIsRecordedOnce() throws {
        let h = try DaemonHarness("reject-once")
        try Data("not a tiff at all".utf8).write(to: URL(fileURLWithPath: h.ingest + "/junk.tif"))
        try Data("not a tiff either".utf8).write(to: URL(fileURLWithPath: h.ingest + "/other.tif"))
        let junk = try FileSystem.status(h.ingest + "/junk.tif")
        try FileManager.default.createDirectory(atPath: h.failed, withIntermediateDirectories: true)
        // What the killed run wrote: a record for junk.tif as it is now; other.tif's record names other content.
        let earlier = [
            RejectionRecord(
                source: "junk.tif", rejection: Rejection(.notTIFF, "not a TIFF (no TIFF signature)"), timeNanoseconds: 1,
                bytes: junk.size, modificationTimeNanoseconds: junk.modificationTimeNanoseconds),
            RejectionRecord(
                source: "other.tif", rejection: Rejection(.notTIFF, "not a TIFF (no TIFF signature)"), timeNanoseconds: 1,
                bytes: 3, modificationTimeNanoseconds: 4),
        ]
        try Data(earlier.map { $0.encoded() + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: h.failed + "/failures.jsonl"))
        try h.start()
        #expect(eventually { Set(h.root.list("failed")).isSuperset(of: ["junk.tif", "other.tif"]) })
        #expect(h.stop() == 0)
        let lines = try String(contentsOfFile: h.failed + "/failures.jsonl", encoding: .utf8).split(separator: "\n")
        let sources = lines.compactMap { JSONObjectParser.parse(String($0))?["source"]?.stringValue }
        #expect(sources.filter { $0 == "junk.tif" }.count == 1, "junk.tif recorded once: \(lines)")
        #expect(sources.filter { $0 == "other.tif" }.count == 2, "other.tif's old record was for other content")
        #expect(lines.allSatisfy { JSONObjectParser.parse(String($0))?["category"] == .string("not-tiff") })
        #expect(h.root.list("ingest").isEmpty)
    }

    @Test func keepModeDoesNotIngestTheSameFilesAgainAfterRestart() throws {
        let h = try DaemonHarness("keep")
        try h.start(["--on-success", "keep"])
        for i in 0..<3 { try MiniTIFF.writeAndRename(h.ingest + "/k\(i).tif", seed: UInt32(i)) }
        #expect(h.waitForRows(3))
        #expect(h.stop() == 0)
        try h.start(["--on-success", "keep"])
        try MiniTIFF.writeAndRename(h.ingest + "/k3.tif", seed: 3)
        #expect(h.waitForRows(4))
        // The start-up scan's files settle for a second: a duplicate would be published before the barrier.
        #expect(try h.barrier() == ["k0.tif", "k1.tif", "k2.tif", "k3.tif"])
        // Shard names continue the sequence across restarts.
        #expect(h.root.list("shards").filter { $0.hasSuffix(".npy") }.first == "shard-00000000.npy")
        #expect(h.root.list("shards").contains("shard-00000001.npy"))
        #expect(h.root.list("ingest").count == 5)
        #expect(h.stop() == 0)
    }

    @Test func deleteModeRemovesSourcesOnlyAfterPublication() throws {
        let h = try DaemonHarness("delete")
        try h.start(["--on-success", "delete"])
        for i in 0..<5 { try MiniTIFF.writeAndRename(h.ingest + "/d\(i).tif", seed: UInt32(i)) }
        #expect(h.waitForRows(5))
        #expect(eventually { h.root.list("ingest").isEmpty })
        #expect(h.root.list("processed").isEmpty)
        #expect(h.stop() == 0)
    }

    @Test func crashBetweenPublicationAndDispositionDoesNotDuplicate() throws {
        // Simulate the state a SIGKILL leaves between the .npy rename and the move of the sources:
        // a published shard whose sources are still in the ingest directory.
        let h = try DaemonHarness("recover")
        try h.start(["--on-success", "keep"])
        for i in 0..<3 { try MiniTIFF.writeAndRename(h.ingest + "/r\(i).tif", seed: UInt32(i)) }
        #expect(h.waitForRows(3))
        h.daemon.signal(SIGKILL)
        _ = h.daemon.waitForExit()
        try Data("leftover".utf8).write(to: URL(fileURLWithPath: h.output + "/.shard-00000001.npy.tmp"))
        try h.start(["--on-success", "move"])
        #expect(eventually { h.root.list("processed").count == 3 })
        #expect(try h.barrier().sorted() == ["r0.tif", "r1.tif", "r2.tif"])
        #expect(!h.root.list("shards").contains(".shard-00000001.npy.tmp"))
        #expect(h.stop() == 0)
    }
}
