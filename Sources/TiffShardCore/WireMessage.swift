/// Messages between the supervisor and a worker over a `SOCK_STREAM` socketpair.
///
/// Every message is a frame: `u32 length` (little-endian, bytes after the length), `u8 type`, payload.
/// A batch carries its output format once (dtype, color, pages and resize codes, the pad value as the bit
/// pattern of a `Double`) and its read-ahead budget; each job its page; each decoded result the page's TIFF facts and its placement.
/// The supervisor sends one `DecodeBatch` per batch; the worker answers with one `JobResult` per job,
/// as each finishes, so the supervisor always knows which job a crashed worker was holding.
public enum WireMessage: Equatable, Sendable {
    case decodeBatch(DecodeBatch)
    case jobResult(JobResult)

    static let batchType: UInt8 = 1
    static let resultType: UInt8 = 2
    /// Frames larger than this are a protocol violation (a batch of 4096-byte paths fits many times).
    public static let maximumFrameLength = 16 << 20
}

extension WireMessage {
    /// The framed bytes of this message.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        switch self {
        case .decodeBatch(let b):
            w.u8(Self.batchType)
            w.bytes(b.root)
            w.u32(b.width); w.u32(b.height); w.u8(b.interpolation.code); w.u64(b.maxPixels)
            w.u8(b.output.dtype.code); w.u8(b.output.color.code); w.u8(b.output.pages.code)
            w.u8(b.output.resize.code); w.u64(b.output.padValue.bitPattern); w.u64(b.readAheadBytes)
            w.u32(UInt32(b.jobs.count))
            for job in b.jobs {
                w.u64(job.id); w.u32(job.slot); w.u32(job.row); w.bytes(job.path.bytes); w.u32(job.page)
            }
        case .jobResult(let r):
            w.u8(Self.resultType)
            w.u64(r.jobID)
            switch r.outcome {
            case .decoded(let i):
                w.u8(0)
                w.u32(i.width); w.u32(i.height); w.u16(i.bitsPerSample); w.u16(i.channels); w.u32(i.pages)
                w.u16(i.compression); w.u8(i.usedFallback ? 1 : 0)
                w.u16(i.sampleFormat); w.u16(i.photometric); w.u32(i.directory)
                w.u8(i.placement == nil ? 0 : 1)
                w.u32(i.placement?.resizedWidth ?? 0); w.u32(i.placement?.resizedHeight ?? 0)
                w.u32(UInt32(bitPattern: i.placement?.offsetX ?? 0)); w.u32(UInt32(bitPattern: i.placement?.offsetY ?? 0))
                w.u8(i.observed == nil ? 0 : 1)
                w.u64(UInt64(bitPattern: i.observed?.size ?? 0))
                w.u64(UInt64(bitPattern: i.observed?.modificationTimeNanoseconds ?? 0))
            case .rejected(let rejection):
                w.u8(1)
                w.string(rejection.category.rawValue)
                w.string(rejection.detail)
            }
        }
        var frame = ByteWriter()
        frame.u32(UInt32(w.bytes.count))
        return frame.bytes + w.bytes
    }

    /// Decodes one message body (the bytes after the length prefix).
    public static func decode(body: ArraySlice<UInt8>) throws(WireError) -> WireMessage {
        var r = ByteReader(body)
        switch try r.u8() {
        case batchType:
            let root = try r.bytes()
            let width = try r.u32(), height = try r.u32()
            guard let interpolation = Interpolation(code: try r.u8()) else { throw .malformed("interpolation") }
            let maxPixels = try r.u64()
            guard let dtype = OutputFormat.SampleType(code: try r.u8()) else { throw .malformed("dtype") }
            guard let color = OutputFormat.Color(code: try r.u8()) else { throw .malformed("color") }
            guard let pages = OutputFormat.Pages(code: try r.u8()) else { throw .malformed("pages") }
            guard let resize = OutputFormat.Resize(code: try r.u8()) else { throw .malformed("resize") }
            let output = OutputFormat(
                dtype: dtype, color: color, pages: pages, resize: resize, padValue: Double(bitPattern: try r.u64()))
            let readAheadBytes = try r.u64()
            let count = Int(try r.u32())
            var jobs: [DecodeJob] = []
            jobs.reserveCapacity(min(count, 4096))
            for _ in 0..<count {
                jobs.append(DecodeJob(
                    id: try r.u64(), slot: try r.u32(), row: try r.u32(), path: SourcePath(bytes: try r.bytes()),
                    page: try r.u32()))
            }
            try r.expectEnd()
            return .decodeBatch(DecodeBatch(
                root: root, width: width, height: height, interpolation: interpolation, maxPixels: maxPixels,
                output: output, readAheadBytes: readAheadBytes, jobs: jobs))
        case resultType:
            let id = try r.u64()
            let outcome: JobResult.Outcome
            switch try r.u8() {
            case 0:
                var info = SourceInfo(
                    width: try r.u32(), height: try r.u32(), bitsPerSample: try r.u16(), channels: try r.u16(),
                    pages: try r.u32(), compression: try r.u16(), usedFallback: try r.u8() != 0,
                    sampleFormat: try r.u16(), photometric: try r.u16(), directory: try r.u32())
                let hasPlacement = try r.u8() != 0
                let placement = Placement(
                    resizedWidth: try r.u32(), resizedHeight: try r.u32(), offsetX: Int32(bitPattern: try r.u32()),
                    offsetY: Int32(bitPattern: try r.u32()))
                if hasPlacement { info.placement = placement }
                let hasObserved = try r.u8() != 0
                let size = Int64(bitPattern: try r.u64()), mtime = Int64(bitPattern: try r.u64())
                if hasObserved { info.observed = ObservedFile(size: size, modificationTimeNanoseconds: mtime) }
                outcome = .decoded(info)
            case 1:
                guard let category = Rejection.Category(rawValue: try r.string()) else { throw .malformed("rejection category") }
                outcome = .rejected(Rejection(category, try r.string()))
            default: throw .malformed("result status")
            }
            try r.expectEnd()
            return .jobResult(JobResult(jobID: id, outcome: outcome))
        default:
            throw .malformed("message type")
        }
    }
}
