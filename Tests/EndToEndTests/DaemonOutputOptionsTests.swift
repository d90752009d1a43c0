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

    @Test func runPublishesInTheConfiguredFormat() throws {
        let h = try DaemonHarness("run-options")
        try h.start([
            "--on-success", "keep", "--dtype", "float32", "--color", "rgb", "--resize", "fit", "--pad-value", "0.5",
        ])
        for index in OutputOptionsTests.corpus.indices { try drop(h, index) }
        #expect(h.waitForRows(OutputOptionsTests.corpus.count))
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
            #expect(h.notify.wait {
                let parts = $0.split(separator: "RELOADING=1", omittingEmptySubsequences: false)
                return parts.count == expected + 1 && parts.last?.contains("READY=1") == true
            })
        }
        let steps: [(index: Int, next: String?)] = [(0, "uint16"), (2, "float32"), (4, nil)]
        for (number, step) in steps.enumerated() {
            try drop(h, step.index)
            // The file must be in the open shard before the reload: nothing is published until then, so
            // there is no event to wait for; a renamed-in file is read within milliseconds.
            Thread.sleep(forTimeInterval: 1.5)
            #expect(try h.publishedSources().count == number, "nothing published before the reload")
            guard let next = step.next else { break }
            try reload(to: next)
            #expect(h.waitForRows(number + 1), "the reload published the open shard")
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
        let names = try FileManager.default.contentsOfDirectory(atPath: h.output).filter { $0.hasSuffix(".npy") }.sorted()
        #expect(names == ["shard-00000000.npy", "shard-00000001.npy", "shard-00000002.npy"])
    }
}
