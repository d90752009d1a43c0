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

    @Test func rowsAreWidthTimesHeightTimesChannelsTimesSampleSize() {
        func batch(_ dtype: OutputFormat.SampleType, _ color: OutputFormat.Color, width: UInt32 = 8, height: UInt32 = 4)
            -> DecodeBatch
        {
            DecodeBatch(
                width: width, height: height, interpolation: .linear, maxPixels: 1,
                output: OutputFormat(dtype: dtype, color: color), jobs: [])
        }
        let segment = 10 * 8 * 4 * 12  // ten float32 rgb rows
        for (dtype, color, pixel) in [
            (OutputFormat.SampleType.uint8, OutputFormat.Color.gray, 1), (.uint8, .rgb, 3), (.uint16, .gray, 2),
            (.uint16, .rgb, 6), (.float32, .gray, 4), (.float32, .rgb, 12),
        ] {
            let rows = segment / (8 * 4 * pixel)
            #expect(WorkerLoop.rowOffset(0, of: batch(dtype, color), within: segment) == 0)
            #expect(WorkerLoop.rowOffset(3, of: batch(dtype, color), within: segment) == 3 * 8 * 4 * pixel)
            #expect(WorkerLoop.rowOffset(UInt32(rows - 1), of: batch(dtype, color), within: segment) != nil)
            #expect(WorkerLoop.rowOffset(UInt32(rows), of: batch(dtype, color), within: segment) == nil, "\(dtype) \(color)")
        }
        // Products that overflow are outside the ring, not a trap.
        #expect(WorkerLoop.rowOffset(.max, of: batch(.float32, .rgb, width: .max, height: .max), within: .max) == nil)
        #expect(WorkerLoop.rowOffset(.max, of: batch(.uint8, .gray), within: Int(UInt32.max) * 32) == nil)
    }

    @Test func theKernelIsAskedForTheBatchsOutput() {
        let batch = DecodeBatch(
            width: 640, height: 480, interpolation: .cubic, maxPixels: 1 << 20,
            output: OutputFormat(dtype: .float32, color: .rgb, pages: .all, resize: .fit, padValue: -0.25), jobs: [])
        let output = WorkerLoop.kernelOutput(batch)
        #expect(output.width == 640 && output.height == 480 && output.max_pixels == 1 << 20)
        #expect(output.dtype == TSK_DTYPE_FLOAT32 && output.color == TSK_COLOR_RGB && output.resize == TSK_RESIZE_FIT)
        #expect(output.interpolation == TSK_INTER_CUBIC && output.pad_value == -0.25)
        #expect(output.pages == TSK_PAGES_ALL)
        let plain = WorkerLoop.kernelOutput(DecodeBatch(width: 1, height: 1, interpolation: .linear, maxPixels: 1, jobs: []))
        #expect(plain.dtype == TSK_DTYPE_UINT8 && plain.color == TSK_COLOR_GRAY && plain.resize == TSK_RESIZE_STRETCH)
        #expect(plain.pages == TSK_PAGES_FIRST)
        for resize in OutputFormat.Resize.allCases {
            let b = DecodeBatch(width: 1, height: 1, interpolation: .linear, maxPixels: 1, output: OutputFormat(resize: resize), jobs: [])
            #expect(WorkerLoop.kernelOutput(b).resize.rawValue == UInt32(resize.code))
        }
        for dtype in OutputFormat.SampleType.allCases {
            let b = DecodeBatch(width: 1, height: 1, interpolation: .linear, maxPixels: 1, output: OutputFormat(dtype: dtype), jobs: [])
            #expect(WorkerLoop.kernelOutput(b).dtype.rawValue == UInt32(dtype.code))
        }
    }

    @Test func mappedBytesReadsThisProcessesAddressSpace() throws {
        let mapped = try #require(WorkerLoop.mappedBytes())
        #expect(mapped > 1 << 20)
        #expect(mapped % UInt64(SystemInfo.pageSize) == 0)
    }
}
