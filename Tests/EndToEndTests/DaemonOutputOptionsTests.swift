import Foundation
import Glibc
import Testing
import TestSupport
import TiffShardCore

/// The output options through `tiffshard run`: the daemon publishes in the configured format, and a reload
/// (SIGHUP) that changes the format publishes the open shard first, so every shard holds one format.
@Suite struct DaemonOutputOptionsTests {
    /// Writes corpus entry `index` beside the ingest directory and renames it in (one `IN_MOVED_TO`).
    private func drop(_ h: DaemonHarness, _ index: Int) throws {
        let entry = OutputOptionsTests.corpus[index]
        let staging = h.root("staging")
        if !FileManager.default.fileExists(atPath: staging) { try h.root.directory("staging") }
        try writeTIFF(staging + "/" + entry.name, entry.spec, seed: UInt32(10 + index))
        guard rename(staging + "/" + entry.name, h.ingest + "/" + entry.name) == 0 else {
            throw DaemonHarness.HarnessError(message: "rename into the ingest directory failed: errno \(errno)")
        }
    }

    /// Drops a TIFF the worker must refuse (a compression libtiff lacks; admission reads only the header) and
    /// waits until it is quarantined: every file renamed in before it has been given a row by then (files are
    /// dispatched in arrival order), so a test knows a file is in the open shard while nothing is published.
    private func dispatchBarrier(_ h: DaemonHarness, _ name: String) throws {
        var bytes = MiniTIFF.encode(width: 32, height: 24, seed: 5)
        // The Compression entry's value (IFD at 8: count, then 12-byte entries; Compression is the 4th).
        precondition(bytes[8 + 2 + 3 * 12] == 0x03 && bytes[8 + 2 + 3 * 12 + 1] == 0x01, "MiniTIFF layout changed")
        (bytes[8 + 2 + 3 * 12 + 8], bytes[8 + 2 + 3 * 12 + 9]) = (0x98, 0x87)  // 34712, JPEG 2000
        let staging = h.root("staging")
        if !FileManager.default.fileExists(atPath: staging) { try h.root.directory("staging") }
        try Data(bytes).write(to: URL(fileURLWithPath: staging + "/" + name))
        guard rename(staging + "/" + name, h.ingest + "/" + name) == 0 else {
            throw DaemonHarness.HarnessError(message: "rename into the ingest directory failed: errno \(errno)")
        }
        guard eventually(timeout: 60, { h.root.list("failed").contains(name) }) else {
            throw DaemonHarness.HarnessError(message: "\(name) was never quarantined; log:\n\(h.daemon.log)")
        }
    }

    @Test func runPublishesInTheConfiguredFormat() throws {
        let h = try DaemonHarness("run-options")
        try h.start([
            "--on-success", "keep", "--dtype", "float32", "--color", "rgb", "--resize", "fit", "--pad-value", "0.5",
        ])
        for index in OutputOptionsTests.corpus.indices { try drop(h, index) }
        #expect(h.waitForRows(OutputOptionsTests.corpus.count, timeout: 90))
        #expect(h.stop() == 0)
        #expect(h.daemon.log.contains("publishing 32x24 float32 rgb, fit on 0.5 shards"))
        let format = OutputFormat(dtype: .float32, color: .rgb, resize: .fit, padValue: 0.5)
        let report = try OutputCheck(sourceRoot: h.ingest, output: h.output, width: 32, height: 24, format: format)
            .run(scratch: h.root.path)
        #expect(report.problems == [])
        #expect(Set(report.rows) == Set(OutputOptionsTests.corpus.map { "\($0.name)#0" }))
        #expect(report.shards.allSatisfy { $0.descr == "<f4" && $0.shape.dropFirst() == [24, 32, 3] })
    }

    /// uint8, then a reload to uint16, then to float32: the open shard is published in its format at each
    /// reload (shards never time out here: idle-flush and max-shard-age are an hour), the last one at SIGTERM.
    @Test func reloadChangingTheDtypePublishesAShardPerFormat() throws {
        let h = try DaemonHarness("reload-dtype")
        let config = h.root("tiffshard.yaml")
        try "dtype: uint8\n".write(toFile: config, atomically: true, encoding: .utf8)
        try h.start(["--config", config, "--on-success", "keep", "--idle-flush", "1h", "--max-shard-age", "1h"])
        var reloads = 0
        func reload(to dtype: String) throws {
            try "dtype: \(dtype)\n".write(toFile: config, atomically: true, encoding: .utf8)
            h.daemon.signal(SIGHUP)
            reloads += 1
            let expected = reloads
            // READY=1 after the RELOADING=1 of this reload: the new configuration is applied.
            #expect(h.notify.wait(timeout: 60) {
                let parts = $0.split(separator: "RELOADING=1", omittingEmptySubsequences: false)
                return parts.count == expected + 1 && parts.last?.contains("READY=1") == true
            })
        }
        let steps: [(index: Int, next: String?)] = [(0, "uint16"), (2, "float32"), (4, nil)]
        for (number, step) in steps.enumerated() {
            try drop(h, step.index)
            // The file must have its row in the open shard before the reload.
            try dispatchBarrier(h, "zz-barrier-\(number).tif")
            #expect(try h.publishedSources().count == number, "nothing published before the reload")
            guard let next = step.next else { break }
            try reload(to: next)
            #expect(h.waitForRows(number + 1, timeout: 90), "the reload published the open shard")
        }
        #expect(h.stop() == 0)
        #expect(h.daemon.log.contains("configuration reloaded: 32x24 uint16 gray"))
        // One shard per format, in sequence order; each checked against the reference in its format.
        let formats: [OutputFormat.SampleType] = [.uint8, .uint16, .float32]
        for (sequence, dtype) in formats.enumerated() {
            let directory = try h.root.directory("shard-\(sequence)")
            let stem = "shard-0000000\(sequence)"
            for suffix in [".npy", ".jsonl"] {
                try FileManager.default.copyItem(atPath: h.output + "/" + stem + suffix, toPath: directory + "/" + stem + suffix)
            }
            let report = try OutputCheck(
                sourceRoot: h.ingest, output: directory, width: 32, height: 24, format: OutputFormat(dtype: dtype)
            ).run(scratch: directory)
            #expect(report.problems == [], "\(dtype)")
            #expect(report.shards.map(\.descr) == [dtype.npyDescriptor])
            #expect(report.rows == ["\(OutputOptionsTests.corpus[steps[sequence].index].name)#0"])
        }
        // The barriers were refused by a worker (so dispatched after the file before them), not at admission.
        let failures = try String(contentsOfFile: h.failed + "/failures.jsonl", encoding: .utf8)
        let categories = failures.split(separator: "\n").compactMap { JSONObjectParser.parse(String($0))?["category"] }
        #expect(categories == Array(repeating: .string("unsupported"), count: 3), "\(failures)")
        let names = try FileManager.default.contentsOfDirectory(atPath: h.output).filter { $0.hasSuffix(".npy") }.sorted()
        #expect(names == ["shard-00000000.npy", "shard-00000001.npy", "shard-00000002.npy"])
    }
}
