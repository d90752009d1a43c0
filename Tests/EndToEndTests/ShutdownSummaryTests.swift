import Foundation
import TestSupport
import Testing

/// The daemon's log tells the story: a line per published shard (rows, bytes, milliseconds) and, at
/// shutdown, one summary of the run.
@Test func theDaemonLogsEachShardAndASummaryAtShutdown() throws {
    let h = try DaemonHarness("summary")
    try h.start()
    for i in 0..<3 { try MiniTIFF.writeAndRename(h.ingest + "/g\(i).tif", seed: UInt32(i + 1)) }
    try Data("not a tiff".utf8).write(to: URL(fileURLWithPath: h.ingest + "/bad.tif"))
    _ = try h.barrier()
    #expect(h.stop() == 0)
    let log = h.daemon.log  // 3 files + the barrier published, bad.tif rejected
    #expect(log.range(of: #"published shard-\d+\.npy \(\d+ rows, \d+ bytes, [0-9.]+ ms\)"#, options: .regularExpression) != nil, "\(log)")
    #expect(log.range(of: #"stopped \(exit 0\): 4 images in \d+ shards this run, 1 rejected \(not-tiff: 1\), 0 worker exits, 0 failed publication attempts"#, options: .regularExpression) != nil, "\(log)")
}
