import CImageKernel
import LinuxSystem
import TiffShardCore

/// The body of `tiffshard worker`: read batches from the supervisor, decode each image straight into its
/// shared-memory row, answer one result per image, exit on EOF.
///
/// The worker inherits exactly: fd 3, its end of a stream socketpair, and fds 4..<4+slots, the ring's
/// memfds. Anything it cannot do for one image becomes a rejection reason, never a crash of the pool.
public struct WorkerLoop {
    let socket: FileDescriptor
    let segments: [SharedMemory]
    #if DEBUG
    let faults = FaultInjection(specification: Environment.get("TIFFSHARD_FAULT_INJECT"))
    #endif

    /// The supervisor died before this worker armed its parent-death signal.
    public struct SupervisorGone: Error, CustomStringConvertible {
        public var description: String { "the supervisor exited before the worker started" }
    }

    /// Maps the inherited ring and prepares the kernel. `memoryLimitBytes` caps the address space decoding may add.
    /// `supervisor` is the process that spawned us: if it is no longer our parent once the parent-death
    /// signal is armed, it died during our start-up (the signal will never come) and we must not run.
    public init(slots: Int, slotBytes: Int, memoryLimitBytes: UInt64?, supervisor: ProcessID? = nil) throws {
        // The supervisor's death closes our socket (EOF ends the loop); PDEATHSIG is a second line, for
        // a worker stuck in a decode that never reads the EOF.
        try? ProcessControl.setParentDeathSignal(Signal.kill)
        if let supervisor, ChildProcess.parentProcessID != supervisor { throw SupervisorGone() }
        try? ResourceLimit.setCoreDumpSize(bytes: 0)
        socket = FileDescriptor(rawValue: WorkerDescriptors.socket)
        var maps: [SharedMemory] = []
        for i in 0..<slots {
            maps.append(try SharedMemory(mapping: FileDescriptor(rawValue: WorkerDescriptors.firstSlot + Int32(i)), size: slotBytes))
        }
        segments = maps
        tsk_init()
        if let memoryLimitBytes {
            // RLIMIT_AS counts every mapping: the executable and its libraries (about 260 MiB of address
            // space with OpenCV) and the ring. The limit is what decoding may add to what is mapped now.
            let mapped = Self.mappedBytes() ?? UInt64(slots * slotBytes)
            try ResourceLimit.setAddressSpace(bytes: mapped + memoryLimitBytes)
        }
    }

    /// The address space this process maps right now (first field of `/proc/self/statm`, in pages).
    static func mappedBytes() -> UInt64? {
        guard let statm = try? FileSystem.readFile("/proc/self/statm"),
            let pages = String(decoding: statm, as: UTF8.self).split(separator: " ").first.flatMap({ UInt64($0) })
        else { return nil }
        return pages * UInt64(SystemInfo.pageSize)
    }

    /// Serves batches until the supervisor closes the socket. Returns the process exit code.
    public func run() -> Int32 {
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var errorText = [CChar](repeating: 0, count: 1024)
        while true {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try socket.read(into: $0) }
            } catch {
                StandardError.write("tiffshard worker: read from supervisor failed: \(error)\n")
                return 1
            }
            if n == 0 { return 0 }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            do {
                while let message = try decoder.next() {
                    guard case .decodeBatch(let batch) = message else { throw WireError.malformed("unexpected message") }
                    var output = Self.kernelOutput(batch)
                    Self.readAhead(batch)
                    for job in batch.jobs {
                        let result = decode(job, batch, &output, &errorText)
                        try socket.writeAll(WireMessage.jobResult(result).encoded())
                    }
                }
            } catch {
                StandardError.write("tiffshard worker: protocol error: \(error)\n")
                return 1
            }
        }
    }

    /// Asks the kernel to read the batch's files into the page cache in the background, in job order, as long
    /// as their sizes add up to at most `batch.readAheadBytes`: on a cold cache the disk then works on the next
    /// files (several reads in flight) while this process decodes the current one. Advice only: a file that
    /// cannot be opened here is left to the decode, which says why.
    /// Returns the paths it advised, in order.
    @discardableResult
    static func readAhead(_ batch: DecodeBatch) -> [SourcePath] {
        guard batch.readAheadBytes > 0 else { return [] }
        var budget = batch.readAheadBytes
        var seen: Set<SourcePath> = []
        var advised: [SourcePath] = []
        for job in batch.jobs where seen.insert(job.path).inserted {
            let path = FilePath(bytes: job.path.absolute(under: batch.root))
            // Non-blocking: a FIFO named x.tif must not hang the worker here either.
            guard let file = try? FileDescriptor.open(path, [.readOnly, .nonBlocking]) else { continue }
            defer { file.close() }
            guard let status = try? file.status(), status.kind == .regular, status.size > 0 else { continue }
            guard UInt64(status.size) <= budget else { break }
            budget -= UInt64(status.size)
            if (try? file.adviseWillNeed()) != nil { advised.append(job.path) }
        }
        return advised
    }

    /// What the kernel is to produce for every job of `batch`.
    static func kernelOutput(_ batch: DecodeBatch) -> tsk_output {
        tsk_output(
            width: Int32(truncatingIfNeeded: batch.width), height: Int32(truncatingIfNeeded: batch.height),
            dtype: tsk_dtype(rawValue: UInt32(batch.output.dtype.code)),
            color: tsk_color(rawValue: UInt32(batch.output.color.code)),
            resize: tsk_resize(rawValue: UInt32(batch.output.resize.code)),
            pages: tsk_pages(rawValue: UInt32(batch.output.pages.code)),
            interpolation: tsk_interpolation(rawValue: UInt32(batch.interpolation.code)),
            pad_value: batch.output.padValue, max_pixels: batch.maxPixels)
    }

    func decode(_ job: DecodeJob, _ batch: DecodeBatch, _ output: inout tsk_output, _ errorText: inout [CChar]) -> JobResult {
        let slot = Int(job.slot)
        guard slot < segments.count, let offset = Self.rowOffset(job.row, of: batch, within: segments[slot].size) else {
            return JobResult(jobID: job.id, outcome: .rejected(Rejection(.internal, "row \(job.row) of slot \(slot) is outside the ring")))
        }
        // The root is joined to the source's path here, at the system call, as bytes (names need not be UTF-8).
        let path = FilePath(bytes: job.path.absolute(under: batch.root))
        #if DEBUG
        faults.apply(to: path.description)
        #endif
        let before = try? FileSystem.status(path)
        var info = tsk_info()
        var placement = tsk_placement()
        let destination = segments[slot].base.advanced(by: offset)
        errorText[0] = 0
        let status = errorText.withUnsafeMutableBufferPointer { text in
            path.withCPath { cPath in
                tsk_decode(cPath, job.page, &output, destination, &info, &placement, text.baseAddress!, text.count)
            }
        }
        // A writer still at work (or a replaced file) shows as a size, mtime or inode change across the decode.
        let after = try? FileSystem.status(path)
        let changedWhileRead = JobResult(jobID: job.id, outcome: .rejected(Rejection(.changed, "modified while being read")))
        guard status == TSK_OK else {
            // Rewritten in place while being read: the error is about a mix of old and new bytes, not
            // about the new content, which must be looked at again rather than quarantined.
            if let before, let after, !Self.same(before, after) { return changedWhileRead }
            let message = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // The kernel says "not a TIFF" for a zero-byte file too; the size we saw tells the two apart.
            let category = status == TSK_NOT_TIFF && before?.size == 0 ? .empty : Rejection.Category(status)
            return JobResult(jobID: job.id, outcome: .rejected(Rejection(category, message)))
        }
        guard let before, let after, Self.same(before, after) else { return changedWhileRead }
        return JobResult(jobID: job.id, outcome: .decoded(SourceInfo(
            width: info.width, height: info.height, bitsPerSample: info.bits_per_sample,
            channels: info.samples_per_pixel, pages: info.pages, compression: info.compression,
            usedFallback: info.used_fallback != 0, sampleFormat: info.sample_format, photometric: info.photometric,
            directory: info.directory,
            placement: Placement(
                resizedWidth: placement.resized_width, resizedHeight: placement.resized_height,
                offsetX: placement.offset_x, offsetY: placement.offset_y),
            observed: ObservedFile(size: before.size, modificationTimeNanoseconds: before.modificationTimeNanoseconds))))
    }

    /// Where row `row` starts in a segment of `segmentSize` bytes, if the whole row lies inside it. A row is
    /// width x height x channels samples of the dtype (`DecodeBatch.imageBytes`), rows follow each other
    /// without padding; the products are checked so that no batch can make the worker trap.
    static func rowOffset(_ row: UInt32, of batch: DecodeBatch, within segmentSize: Int) -> Int? {
        let (pixels, o1) = Int(batch.width).multipliedReportingOverflow(by: Int(batch.height))
        let (imageBytes, o2) = pixels.multipliedReportingOverflow(by: batch.output.pixelBytes)
        let (offset, o3) = Int(row).multipliedReportingOverflow(by: imageBytes)
        let (end, o4) = offset.addingReportingOverflow(imageBytes)
        guard !(o1 || o2 || o3 || o4), end <= segmentSize else { return nil }
        return offset
    }

    /// Whether two looks at a file saw the same content (same inode, size and mtime).
    static func same(_ a: FileStatus, _ b: FileStatus) -> Bool {
        a.inode == b.inode && a.size == b.size && a.modificationTimeNanoseconds == b.modificationTimeNanoseconds
    }
}

extension Rejection.Category {
    /// The category of a failed kernel call.
    init(_ status: tsk_status) {
        switch status {
        case TSK_OPEN_FAILED: self = .unreadable
        case TSK_NOT_TIFF: self = .notTIFF
        case TSK_TOO_LARGE: self = .tooLarge
        case TSK_DECODE_FAILED: self = .decodeFailed
        case TSK_UNSUPPORTED: self = .unsupported
        case TSK_OUT_OF_MEMORY: self = .outOfMemory
        default: self = .internal
        }
    }
}
