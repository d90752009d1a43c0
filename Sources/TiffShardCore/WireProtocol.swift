/// Messages between the supervisor and a worker over a `SOCK_STREAM` socketpair.
///
/// Every message is a frame: `u32 length` (little-endian, bytes after the length), `u8 type`, payload.
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

/// One decode job: read `path` (relative to the batch's root) and resize it into row `row` of slot `slot`.
public struct DecodeJob: Equatable, Sendable {
    public var id: UInt64
    public var slot: UInt32
    public var row: UInt32
    public var path: SourcePath

    public init(id: UInt64, slot: UInt32, row: UInt32, path: SourcePath) {
        self.id = id
        self.slot = slot
        self.row = row
        self.path = path
    }
}

/// A batch of jobs with the geometry they share.
public struct DecodeBatch: Equatable, Sendable {
    /// The ingest or source directory's path bytes: the worker joins it to each job's path at `open`.
    public var root: [UInt8]
    public var width: UInt32
    public var height: UInt32
    public var interpolation: Interpolation
    public var maxPixels: UInt64
    public var jobs: [DecodeJob]

    public init(root: [UInt8] = [], width: UInt32, height: UInt32, interpolation: Interpolation, maxPixels: UInt64,
                jobs: [DecodeJob]) {
        self.root = root
        self.width = width
        self.height = height
        self.interpolation = interpolation
        self.maxPixels = maxPixels
        self.jobs = jobs
    }
}

/// The outcome of one job.
public struct JobResult: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case decoded(SourceInfo)
        case rejected(String)
    }
    public var jobID: UInt64
    public var outcome: Outcome

    /// Reason prefix of a file that was modified while the worker read it (not a bad file).
    public static let changedPrefix = "changed:"

    public init(jobID: UInt64, outcome: Outcome) {
        self.jobID = jobID
        self.outcome = outcome
    }
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
            w.u32(UInt32(b.jobs.count))
            for job in b.jobs { w.u64(job.id); w.u32(job.slot); w.u32(job.row); w.bytes(job.path.bytes) }
        case .jobResult(let r):
            w.u8(Self.resultType)
            w.u64(r.jobID)
            switch r.outcome {
            case .decoded(let i):
                w.u8(0)
                w.u32(i.width); w.u32(i.height); w.u16(i.bitsPerSample); w.u16(i.channels); w.u32(i.pages)
                w.u16(i.compression); w.u8(i.usedFallback ? 1 : 0)
                w.u8(i.observed == nil ? 0 : 1)
                w.u64(UInt64(bitPattern: i.observed?.size ?? 0))
                w.u64(UInt64(bitPattern: i.observed?.modificationTimeNanoseconds ?? 0))
            case .rejected(let reason):
                w.u8(1)
                w.string(reason)
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
            let count = Int(try r.u32())
            var jobs: [DecodeJob] = []
            jobs.reserveCapacity(min(count, 4096))
            for _ in 0..<count {
                jobs.append(DecodeJob(id: try r.u64(), slot: try r.u32(), row: try r.u32(), path: SourcePath(bytes: try r.bytes())))
            }
            try r.expectEnd()
            return .decodeBatch(DecodeBatch(root: root, width: width, height: height, interpolation: interpolation, maxPixels: maxPixels, jobs: jobs))
        case resultType:
            let id = try r.u64()
            let outcome: JobResult.Outcome
            switch try r.u8() {
            case 0:
                var info = SourceInfo(
                    width: try r.u32(), height: try r.u32(), bitsPerSample: try r.u16(), channels: try r.u16(),
                    pages: try r.u32(), compression: try r.u16(), usedFallback: try r.u8() != 0)
                let hasObserved = try r.u8() != 0
                let size = Int64(bitPattern: try r.u64()), mtime = Int64(bitPattern: try r.u64())
                if hasObserved { info.observed = ObservedFile(size: size, modificationTimeNanoseconds: mtime) }
                outcome = .decoded(info)
            case 1: outcome = .rejected(try r.string())
            default: throw .malformed("result status")
            }
            try r.expectEnd()
            return .jobResult(JobResult(jobID: id, outcome: outcome))
        default:
            throw .malformed("message type")
        }
    }
}

/// A protocol violation: the peer is not a tiffshard of the same version, or memory is corrupt.
public enum WireError: Error, Equatable, Sendable {
    case truncated
    case malformed(String)
    case frameTooLarge(Int)
}

/// Accumulates stream bytes and splits them into frames.
public struct FrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Appends bytes received from the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }
    /// Appends bytes received from the stream.
    public mutating func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// The next complete message, or nil if more bytes are needed.
    public mutating func next() throws(WireError) -> WireMessage? {
        guard buffer.count - start >= 4 else { compact(); return nil }
        let length = Int(buffer[start]) | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2]) << 16 | Int(buffer[start + 3]) << 24
        guard length <= WireMessage.maximumFrameLength else { throw .frameTooLarge(length) }
        guard buffer.count - start - 4 >= length else { compact(); return nil }
        let body = buffer[(start + 4)..<(start + 4 + length)]
        start += 4 + length
        return try WireMessage.decode(body: body)
    }

    /// Bytes held that do not yet form a frame.
    public var pendingByteCount: Int { buffer.count - start }

    private mutating func compact() {
        if start > 0 { buffer.removeFirst(start); start = 0 }
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func string(_ s: String) { self.bytes(Array(s.utf8)) }
    mutating func bytes(_ b: [UInt8]) { u32(UInt32(b.count)); bytes += b }
}

struct ByteReader {
    let data: ArraySlice<UInt8>
    var index: Int
    init(_ data: ArraySlice<UInt8>) { self.data = data; index = data.startIndex }

    mutating func take(_ n: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard n >= 0, data.endIndex - index >= n else { throw .truncated }
        defer { index += n }
        return data[index..<(index + n)]
    }
    mutating func uint(_ n: Int) throws(WireError) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
    mutating func u8() throws(WireError) -> UInt8 { UInt8(try uint(1)) }
    mutating func u16() throws(WireError) -> UInt16 { UInt16(try uint(2)) }
    mutating func u32() throws(WireError) -> UInt32 { UInt32(try uint(4)) }
    mutating func u64() throws(WireError) -> UInt64 { try uint(8) }
    mutating func string() throws(WireError) -> String { String(decoding: try bytes(), as: UTF8.self) }
    mutating func bytes() throws(WireError) -> [UInt8] {
        let n = Int(try u32())
        guard n <= WireMessage.maximumFrameLength else { throw .malformed("string length") }
        return Array(try take(n))
    }
    func expectEnd() throws(WireError) { if index != data.endIndex { throw .malformed("trailing bytes") } }
}
