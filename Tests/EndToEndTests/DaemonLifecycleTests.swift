import Foundation
import Glibc
import Testing
import TestSupport

/// `tiffshard run` against a real NOTIFY_SOCKET: readiness, status, reload, stop, watchdog.
@Suite(.serialized)
struct DaemonLifecycleTests {
    @Test func readyIsSentOnlyOnceTheWatchIsInstalled() throws {
        let h = try DaemonHarness("ready")
        try h.start()
        // At READY=1 the inotify watch exists: the daemon holds an inotify fd with a watch on it.
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(h.daemon.pid)/fdinfo")
        let watches = fds.compactMap { try? String(contentsOfFile: "/proc/\(h.daemon.pid)/fdinfo/\($0)", encoding: .utf8) }
            .filter { $0.contains("inotify wd:") }
        #expect(watches.count == 1)
        // And the workers are up.
        #expect(eventually(timeout: 5) { h.daemon.childPIDs.count == 2 })
        try MiniTIFF.writeAndRename(h.ingest + "/first.tif")
        #expect(h.waitForRows(1))
        #expect(h.stop() == 0)
    }

    @Test func statusLineIsKeptCurrent() throws {
        let h = try DaemonHarness("status")
        try h.start()
        for i in 0..<5 { try MiniTIFF.writeAndRename(h.ingest + "/s\(i).tif", seed: UInt32(i)) }
        #expect(h.waitForRows(5))
        #expect(h.notify.wait(timeout: 5) { lines in
            lines.contains { $0.hasPrefix("STATUS=watching \(h.ingest): 5 images in 1 shards") }
        })
        let statuses = h.notify.values("STATUS")
        #expect(Set(statuses).count >= 2)
        #expect(statuses.allSatisfy { !$0.isEmpty })
        #expect(h.stop() == 0)
    }

    @Test func sigtermSendsStoppingFlushesThePartialShardAndExitsZero() throws {
        let h = try DaemonHarness("sigterm")
        // Neither full nor idle nor old: only shutdown can publish this shard.
        try h.start(["--shard-size", "100", "--idle-flush", "600", "--max-shard-age", "600"])
        for i in 0..<7 { try MiniTIFF.writeAndRename(h.ingest + "/p\(i).tif", seed: UInt32(i)) }
        // Wait until the daemon has seen and decoded all seven: a STATUS line a full status period after
        // the last file says nothing is queued or in flight. Nothing may be published yet.
        let before = h.statuses.count
        #expect(eventually { h.statuses.count >= before + 2 && h.statuses.last!.contains(" 0 queued") })
        #expect(try h.publishedSources().isEmpty)
        #expect(h.stop() == 0)
        #expect(h.notify.assignments.contains("STOPPING=1"))
        #expect(try h.publishedSources().sorted() == (0..<7).map { "p\($0).tif" })
        #expect(try Shards.verify(h.output, width: 32, height: 24) == 7)
        #expect(h.root.list("processed").count == 7)
        #expect(h.root.list("ingest").isEmpty)
    }

    @Test func sighupReloadsTheConfiguration() throws {
        let h = try DaemonHarness("reload")
        let config = h.root("tiffshard.yaml")
        try "width: 32\nheight: 24\n".write(toFile: config, atomically: true, encoding: .utf8)
        try h.start(["--config", config], geometryFlags: false)
        try MiniTIFF.writeAndRename(h.ingest + "/before.tif")
        #expect(h.waitForRows(1))
        try "width: 16\nheight: 8\n".write(toFile: config, atomically: true, encoding: .utf8)
        h.daemon.signal(SIGHUP)
        #expect(h.notify.wait { $0.contains("RELOADING=1") })
        // RELOADING=1 comes with MONOTONIC_USEC= in the same datagram, and READY=1 follows it.
        #expect(h.notify.received.contains { $0.contains("RELOADING=1") && $0.contains("MONOTONIC_USEC=") })
        #expect(h.notify.wait { $0.split(separator: "RELOADING=1", omittingEmptySubsequences: false).last?.contains("READY=1") == true })
        try MiniTIFF.writeAndRename(h.ingest + "/after.tif")
        #expect(h.waitForRows(2))
        let shape = try CommandRunner.python("""
            import numpy as np, glob, sys
            print([np.load(f, mmap_mode='r').shape for f in sorted(glob.glob(sys.argv[1] + '/*.npy'))])
            """, [h.output])
        #expect(shape.contains("(1, 24, 32)") && shape.contains("(1, 8, 16)"))
        #expect(h.stop() == 0)
    }

    @Test func invalidReloadKeepsTheRunningConfiguration() throws {
        let h = try DaemonHarness("badreload")
        let config = h.root("tiffshard.yaml")
        try "width: 32\nheight: 24\n".write(toFile: config, atomically: true, encoding: .utf8)
        try h.start(["--config", config], geometryFlags: false)
        try "width: banana\n".write(toFile: config, atomically: true, encoding: .utf8)
        h.daemon.signal(SIGHUP)
        #expect(h.notify.wait { $0.contains { $0.hasPrefix("STATUS=") && $0.contains("reload failed") && $0.contains("width") } })
        try MiniTIFF.writeAndRename(h.ingest + "/still.tif")
        #expect(h.waitForRows(1))
        #expect(try Shards.verify(h.output, width: 32, height: 24) == 1)
        #expect(h.stop() == 0)
    }

    @Test func watchdogPingsArriveWhenRequested() throws {
        let h = try DaemonHarness("watchdog")
        try h.start(environment: ["WATCHDOG_USEC": "400000"])
        #expect(h.notify.wait(timeout: 5) { $0.filter { $0 == "WATCHDOG=1" }.count >= 4 })
        #expect(h.stop() == 0)
    }

    @Test func noWatchdogPingsWhenWatchdogPidIsAnotherProcess() throws {
        let h = try DaemonHarness("watchdogpid")
        try h.start(environment: ["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"])
        // STATUS comes every second from the same loop tick that pings: two of them span five intervals.
        #expect(h.notify.wait(timeout: 10) { $0.filter { $0.hasPrefix("STATUS=") }.count >= 3 })
        #expect(!h.notify.assignments.contains("WATCHDOG=1"))
        #expect(h.stop() == 0)
    }

    @Test func workersNeverSeeTheNotifySocket() throws {
        let h = try DaemonHarness("workerenv")
        try h.start(environment: ["WATCHDOG_USEC": "10000000"])
        #expect(eventually(timeout: 5) { h.daemon.childPIDs.count == 2 })
        for child in h.daemon.childPIDs {
            let environ = try String(contentsOfFile: "/proc/\(child)/environ", encoding: .utf8)
            #expect(!environ.contains("NOTIFY_SOCKET"))
            #expect(!environ.contains("WATCHDOG_USEC"))
        }
        #expect(h.stop() == 0)
    }

    @Test func vanishingIngestDirectoryIsAnErrorExit() throws {
        let h = try DaemonHarness("vanish")
        try h.start()
        try FileManager.default.removeItem(atPath: h.ingest)
        let status = h.daemon.waitForExit(timeout: 20)
        #expect(status == 74)
        #expect(h.daemon.log.contains("ingest directory"))
    }

    @Test func invalidConfigurationExitsWithConfigStatus() throws {
        let dir = try TemporaryDirectory("badconfig")
        let result = try CommandRunner.run(TiffshardBinary.path, ["run", "--width", "0"], currentDirectory: dir.path)
        #expect(result.status == 78)
        #expect(result.standardError.contains("width"))
        #expect(result.standardError.contains("'0'"))
        let check = try CommandRunner.run(TiffshardBinary.path, ["check-config", "--shard-size", "x"], currentDirectory: dir.path)
        #expect(check.status == 78)
        let ok = try CommandRunner.run(TiffshardBinary.path, ["check-config"], currentDirectory: dir.path)
        #expect(ok.status == 0)
        #expect(ok.standardOutput.contains("shard-size"))
    }
}
