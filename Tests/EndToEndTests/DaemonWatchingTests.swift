import Foundation
import Glibc
import Testing
import TestSupport

/// Optional watching modes: recursive watching and the periodic rescan for network filesystems.
@Suite(.serialized)
struct DaemonWatchingTests {
    @Test func recursiveModeWatchesNewSubdirectoriesAndScansThem() throws {
        let h = try DaemonHarness("recursive")
        try h.start(["--recursive", "true"])
        // A directory created and filled before its watch exists: the scan after the watch finds these.
        let staging = h.root("staging")
        try FileManager.default.createDirectory(atPath: staging + "/deep", withIntermediateDirectories: true)
        try MiniTIFF.write(staging + "/a.tif", seed: 1)
        try MiniTIFF.write(staging + "/deep/b.tif", seed: 2)
        let old = Date().addingTimeInterval(-60)
        for f in ["/a.tif", "/deep/b.tif"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: staging + f)
        }
        #expect(rename(staging, h.ingest + "/batch1") == 0)
        #expect(h.waitForRows(2))
        // Files written into the new subdirectory afterwards come through its own watch.
        try MiniTIFF.writeAndRename(h.ingest + "/batch1/deep/c.tif", seed: 3)
        #expect(h.waitForRows(3))
        #expect(try h.publishedSources().sorted() == ["batch1/a.tif", "batch1/deep/b.tif", "batch1/deep/c.tif"])
        #expect(FileManager.default.fileExists(atPath: h.processed + "/batch1/deep/c.tif"))
        #expect(h.stop() == 0)
    }

    @Test func subdirectoriesAreIgnoredWithoutRecursive() throws {
        let h = try DaemonHarness("flat")
        try h.start()
        try FileManager.default.createDirectory(atPath: h.ingest + "/sub", withIntermediateDirectories: true)
        try MiniTIFF.writeAndRename(h.ingest + "/sub/ignored.tif", seed: 1)
        try MiniTIFF.writeAndRename(h.ingest + "/top.tif", seed: 2)
        #expect(h.waitForRows(1))
        #expect(try h.barrier() == ["top.tif"])
        #expect(FileManager.default.fileExists(atPath: h.ingest + "/sub/ignored.tif"))
        #expect(h.stop() == 0)
    }

    @Test func periodicRescanFindsFilesInotifyDoesNotReport() throws {
        // A hard link raises only IN_CREATE (no close, no rename): like a file written by another NFS client,
        // only a scan can find it.
        let h = try DaemonHarness("rescan")
        let outside = h.root("outside.tif")
        try MiniTIFF.write(outside, seed: 5)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: outside)
        try h.start(["--rescan-interval", "0.5"])
        #expect(link(outside, h.ingest + "/linked.tif") == 0)
        #expect(h.waitForRows(1, timeout: 10))
        #expect(try h.publishedSources() == ["linked.tif"])
        #expect(h.stop() == 0)
    }

    /// A writer pausing far longer than the settle interval while periodic rescans list its half-written
    /// file: the scans see an old mtime, but the intake saw the writes (IN_MODIFY) and waits for the close.
    /// (Admitting by mtime age read such files early and quarantined them as truncated.)
    @Test func aWriterPausingDuringPeriodicRescansIsReadOnlyAfterItCloses() throws {
        let h = try DaemonHarness("paused-writer")
        try h.start(["--rescan-interval", "0.3"])
        let bytes = MiniTIFF.encode(width: 96, height: 64, seed: 9)
        let fd = open(h.ingest + "/slow.tif", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let half = bytes.count / 2
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress!, half) } == half)
        usleep(3_000_000)  // the stimulus: the writer pauses through about ten rescans
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress! + half, bytes.count - half) } == bytes.count - half)
        close(fd)
        #expect(h.waitForRows(1))
        #expect(try h.publishedSources() == ["slow.tif"])
        #expect(!FileManager.default.fileExists(atPath: h.failed + "/failures.jsonl"), "nothing was quarantined")
        #expect(FileManager.default.fileExists(atPath: h.processed + "/slow.tif"))
        #expect(h.stop() == 0)
    }

    @Test func withoutRescanAHardLinkedFileWaitsForTheNextStart() throws {
        let h = try DaemonHarness("norescan")
        let outside = h.root("outside.tif")
        try MiniTIFF.write(outside, seed: 6)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: outside)
        try h.start()
        #expect(link(outside, h.ingest + "/linked.tif") == 0)
        #expect(try h.barrier().isEmpty)
        #expect(h.stop() == 0)
        try h.start()
        #expect(h.waitForRows(2))
        #expect(try h.publishedSources() == [DaemonHarness.barrierName, "linked.tif"])
        #expect(h.stop() == 0)
    }
}
