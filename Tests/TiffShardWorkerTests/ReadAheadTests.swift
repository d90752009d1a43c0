import Foundation
import LinuxSystem
import TestSupport
import TiffShardCore
import Testing

@testable import TiffShardWorker

/// `read-ahead`: a worker asks the kernel to read its batch's files in the background, in job order, within
/// the budget, each file once, never hanging on a FIFO.
@Suite struct ReadAheadTests {
    static func batch(_ root: String, _ names: [String], budget: UInt64) -> DecodeBatch {
        DecodeBatch(
            root: Array(root.utf8), width: 8, height: 8, interpolation: .linear, maxPixels: 0, readAheadBytes: budget,
            jobs: names.enumerated().map { DecodeJob(id: UInt64($0.offset), slot: 0, row: UInt32($0.offset), path: SourcePath($0.element)) })
    }

    @Test func filesAreAdvisedInOrderWithinTheBudget() throws {
        let directory = try TemporaryDirectory("readahead")
        for (name, size) in [("a.tif", 1000), ("b.tif", 3000), ("c.tif", 500), ("d.tif", 100)] {
            try directory.write(name, bytes: [UInt8](repeating: 7, count: size))
        }
        mkfifo(directory.file("fifo.tif"), 0o600)
        let names = ["a.tif", "a.tif", "fifo.tif", "missing.tif", "b.tif", "c.tif", "d.tif"]
        #expect(WorkerLoop.readAhead(Self.batch(directory.path, names, budget: 0)) == [])
        // Pages of one file are advised once; a FIFO and a missing file are passed over; b (3000 bytes)
        // does not fit what is left of 4000 after a, so the advice stops there, in job order.
        #expect(WorkerLoop.readAhead(Self.batch(directory.path, names, budget: 3500)) == ["a.tif"])
        #expect(WorkerLoop.readAhead(Self.batch(directory.path, names, budget: 4500)) == ["a.tif", "b.tif", "c.tif"])
        #expect(WorkerLoop.readAhead(Self.batch(directory.path, names, budget: 1 << 20)).count == 4)
    }

    /// The advice really fills the page cache: a file evicted from it (fsync, then POSIX_FADV_DONTNEED) is
    /// resident again soon after, without anyone reading it (`fincore` counts resident pages).
    @Test func advisedFilesComeIntoThePageCache() throws {
        let directory = try TemporaryDirectory("readahead")
        let path = try directory.write("big.tif", bytes: (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        try file.sync()
        func resident() throws -> Int {
            let out = try CommandRunner.run("/usr/bin/fincore", ["--bytes", "--noheadings", "--output", "RES", path])
            return Int(out.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        _ = posix_fadvise(file.rawValue, 0, 0, POSIX_FADV_DONTNEED)
        try #require(try resident() < 1 << 20, "this filesystem does not drop clean pages on request")
        #expect(WorkerLoop.readAhead(Self.batch(directory.path, ["big.tif"], budget: 32 << 20)) == ["big.tif"])
        var waited = 0
        while try resident() < 8 << 20, waited < 200 {
            usleep(10_000)
            waited += 1
        }
        #expect(try resident() == 8 << 20, "the whole file is in the page cache after the advice")
    }
}
