import CImageKernel
import LinuxSystem
import TestSupport
import TiffShardCore
import Testing

@testable import TiffShardWorker

/// The parts of the worker loop that run without a supervisor on the other end of fd 3: how a kernel
/// status becomes a rejection category, how a rewrite during a decode is noticed, what is mapped.
/// The loop itself (socket, ring, crashes) is exercised through the binary in `EndToEndTests` and the
/// fault suite.
@Suite struct WorkerLoopTests {
    @Test(arguments: [
        (TSK_OPEN_FAILED, "unreadable"), (TSK_NOT_TIFF, "not-tiff"), (TSK_TOO_LARGE, "too-large"),
        (TSK_DECODE_FAILED, "decode-failed"), (TSK_UNSUPPORTED, "unsupported"), (TSK_INTERNAL, "internal"),
        (TSK_OUT_OF_MEMORY, "out-of-memory"),
    ])
    func kernelStatusNamesTheRejectionCategory(_ status: tsk_status, _ category: String) {
        #expect(Rejection.Category(status).rawValue == category)
    }

    @Test func aFileRewrittenBetweenTwoLooksIsNotTheSame() throws {
        let directory = try TemporaryDirectory("worker")
        defer { directory.remove() }
        let path = try directory.write("a.tif", bytes: [1, 2, 3])
        let first = try FileSystem.status(path)
        #expect(WorkerLoop.same(first, try FileSystem.status(path)))

        // Same size, new mtime: a rewrite in place.
        var touched = first
        touched.modificationTimeNanoseconds += 1
        #expect(!WorkerLoop.same(first, touched))

        try directory.write("a.tif", bytes: [1, 2, 3, 4])
        #expect(!WorkerLoop.same(first, try FileSystem.status(path)))

        // Replaced by rename: a new inode even if size and mtime matched.
        var replaced = first
        replaced.inode &+= 1
        #expect(!WorkerLoop.same(first, replaced))
    }

    @Test func mappedBytesReadsThisProcessesAddressSpace() throws {
        let mapped = try #require(WorkerLoop.mappedBytes())
        #expect(mapped > 1 << 20)
        #expect(mapped % UInt64(SystemInfo.pageSize) == 0)
    }
}
