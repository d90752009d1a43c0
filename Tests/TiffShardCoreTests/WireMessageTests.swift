import Testing

@testable import TiffShardCore

private func batch(_ count: Int, path: (Int) -> String = { "/srv/ingest/img-\($0).tif" }) -> DecodeBatch {
    DecodeBatch(
        root: Array("/srv/ingest".utf8), width: 224, height: 160, interpolation: .area, maxPixels: 1 << 33,
        jobs: (0..<count).map {
            DecodeJob(id: UInt64($0) * 1_000_003 + 1, slot: UInt32($0 % 3), row: UInt32($0), path: SourcePath(path($0)))
        })
}

/// A batch in output format `output`, with pages beyond 0 and paths in every job.
private func batch(_ output: OutputFormat, pages: [UInt32] = [0, 1, 7, .max]) -> DecodeBatch {
    DecodeBatch(
        root: Array("/in".utf8), width: 64, height: 48, interpolation: .linear, maxPixels: 1 << 30, output: output,
        jobs: pages.enumerated().map {
            DecodeJob(id: UInt64($0.offset), slot: 1, row: UInt32($0.offset), path: SourcePath("p\($0.offset).tif"), page: $0.element)
        })
}

/// Every dtype, colour, pages and resize mode, and pad values whose bit patterns must survive exactly.
private let outputFormats: [OutputFormat] = {
    var formats: [OutputFormat] = []
    for dtype in OutputFormat.SampleType.allCases {
        for color in OutputFormat.Color.allCases {
            for pages in OutputFormat.Pages.allCases {
                for resize in OutputFormat.Resize.allCases {
                    formats.append(OutputFormat(dtype: dtype, color: color, pages: pages, resize: resize, padValue: 255))
                }
            }
        }
    }
    for pad in [0, -0.0, 65535, -1.5, 0.1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -3.4e38] {
        formats.append(OutputFormat(dtype: .float32, resize: .fit, padValue: pad))
    }
    return formats
}()

/// Decoded results with the page facts and every kind of placement (stretch, fit, crop, extremes, unknown).
private let placements: [Placement?] = [
    Placement(resizedWidth: 64, resizedHeight: 48),
    Placement(resizedWidth: 64, resizedHeight: 20, offsetX: 0, offsetY: 14),
    Placement(resizedWidth: 90, resizedHeight: 48, offsetX: -13, offsetY: 0),
    Placement(resizedWidth: .max, resizedHeight: .max, offsetX: .min, offsetY: .max),
    nil,
]

private let sampleMessages: [WireMessage] = [
    .decodeBatch(batch(0)),
    .decodeBatch(batch(1)),
    .decodeBatch(batch(1000)),
    .decodeBatch(batch(5) { "/in/line\nbreak/日本語 😀 \($0).tif" }),
    .decodeBatch(
        DecodeBatch(
            width: .max, height: 0, interpolation: .lanczos, maxPixels: .max,
            jobs: [DecodeJob(id: .max, slot: .max, row: .max, path: "")])),
    .jobResult(
        JobResult(
            jobID: 7,
            outcome: .decoded(
                SourceInfo(
                    width: 4000, height: 3000, bitsPerSample: 16, channels: 3, pages: 12, compression: 8,
                    usedFallback: true)))),
    .jobResult(
        JobResult(
            jobID: .max,
            outcome: .decoded(
                SourceInfo(
                    width: .max, height: .max, bitsPerSample: .max, channels: .max, pages: .max, compression: .max)))),
    .jobResult(
        JobResult(
            jobID: 8,
            outcome: .decoded(
                SourceInfo(
                    width: 300, height: 200, bitsPerSample: 32, channels: 3, pages: 5, compression: 1,
                    sampleFormat: 3, photometric: 2, directory: 9,
                    placement: Placement(resizedWidth: 64, resizedHeight: 43, offsetX: 0, offsetY: 2),
                    observed: ObservedFile(size: 12345, modificationTimeNanoseconds: -7))))),
    .decodeBatch(batch(OutputFormat(dtype: .uint16, color: .rgb, pages: .all, resize: .crop, padValue: 3))),
    .jobResult(JobResult(jobID: 0, outcome: .rejected(Rejection(.notTIFF, "signature 89 50 4E 47 — \"png\"?\n")))),
    .jobResult(JobResult(jobID: 1, outcome: .rejected(Rejection(.changed, "")))),
]

private func decodeAll(_ bytes: [UInt8], chunks: [Int]) throws -> [WireMessage] {
    var decoder = FrameDecoder()
    var out: [WireMessage] = []
    var offset = 0
    var chunkIndex = 0
    while offset < bytes.count {
        let size = min(chunks[chunkIndex % chunks.count], bytes.count - offset)
        chunkIndex += 1
        decoder.append(Array(bytes[offset..<(offset + size)]))
        offset += size
        while let message = try decoder.next() { out.append(message) }
    }
    #expect(decoder.pendingByteCount == 0)
    return out
}

@Test(arguments: sampleMessages)
func messagesRoundTrip(_ message: WireMessage) throws {
    let bytes = message.encoded()
    let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    #expect(length == bytes.count - 4, "little-endian length counts the bytes after it")
    #expect(try WireMessage.decode(body: bytes[4...]) == message)
    var decoder = FrameDecoder()
    decoder.append(bytes)
    #expect(try decoder.next() == message)
    #expect(try decoder.next() == nil)
}

@Test(arguments: outputFormats)
func everyOutputFormatTravelsWithItsBatch(_ output: OutputFormat) throws {
    let message = WireMessage.decodeBatch(batch(output))
    let decoded = try WireMessage.decode(body: message.encoded()[4...])
    #expect(decoded == message)
    guard case .decodeBatch(let b) = decoded else { return }
    // Bit for bit: -0.0 stays negative, the tiniest subnormal stays itself.
    #expect(b.output.padValue.bitPattern == output.padValue.bitPattern)
    #expect(b.jobs.map(\.page) == [0, 1, 7, .max])
    #expect(b.imageBytes == 64 * 48 * output.pixelBytes)
}

@Test(arguments: 0..<placements.count)
func decodedResultsCarryThePagesFactsAndPlacement(_ index: Int) throws {
    let info = SourceInfo(
        width: 10, height: 20, bitsPerSample: 16, channels: 1, pages: 3, compression: 5, sampleFormat: 2,
        photometric: SourceInfo.unknownPhotometric, directory: .max, placement: placements[index])
    let message = WireMessage.jobResult(JobResult(jobID: 3, outcome: .decoded(info)))
    #expect(try WireMessage.decode(body: message.encoded()[4...]) == message)
}

@Test func frameLayoutIsPinned() {
    // A rejection is its category's name, then its detail: never one string to take apart again.
    let bytes = WireMessage.jobResult(JobResult(jobID: 0x0102, outcome: .rejected(Rejection(.empty, "ab")))).encoded()
    #expect(bytes == [25, 0, 0, 0, 2, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 1,
                      5, 0, 0, 0, 0x65, 0x6D, 0x70, 0x74, 0x79, 2, 0, 0, 0, 0x61, 0x62])
    let empty = WireMessage.decodeBatch(
        DecodeBatch(root: [0x2F], width: 1, height: 2, interpolation: .nearest, maxPixels: 3, jobs: []))
    // The root travels once per batch as length-prefixed bytes; job paths are bytes relative to it.
    // Then the output format: dtype, color, pages, resize codes and the pad value's Double bit pattern; then
    // the read-ahead budget (u64).
    #expect(empty.encoded() == [47, 0, 0, 0, 1, 1, 0, 0, 0, 0x2F, 1, 0, 0, 0, 2, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0,
                                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    let rgb = WireMessage.decodeBatch(
        DecodeBatch(
            width: 1, height: 1, interpolation: .linear, maxPixels: 0,
            output: OutputFormat(dtype: .float32, color: .rgb, pages: .all, resize: .fit, padValue: 1),
            readAheadBytes: 0x0102,
            jobs: [DecodeJob(id: 1, slot: 2, row: 3, path: "a", page: 0x0405)]))
    // 1.0 is 0x3FF0000000000000; a job is id, slot, row, path, page.
    #expect(Array(rgb.encoded()[26..<38]) == [2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    #expect(Array(rgb.encoded()[38..<46]) == [2, 1, 0, 0, 0, 0, 0, 0])
    #expect(Array(rgb.encoded()[50...]) == [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0x61, 5, 4, 0, 0])
}

@Test func decoderFedByteByByte() throws {
    let stream = sampleMessages.flatMap { $0.encoded() }
    #expect(try decodeAll(stream, chunks: [1]) == sampleMessages)
}

@Test(arguments: [1, 2, 3, 42])
func decoderFedRandomChunks(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    var messages: [WireMessage] = []
    for _ in 0..<5 { messages += sampleMessages.shuffled(using: &rng) }
    let stream = messages.flatMap { $0.encoded() }
    var chunks: [Int] = []
    for _ in 0..<64 { chunks.append(Int.random(in: 1...9000, using: &rng)) }
    #expect(try decodeAll(stream, chunks: chunks) == messages)
    #expect(try decodeAll(stream, chunks: [stream.count]) == messages)
}

@Test func decoderWaitsForTheRestOfAFrame() throws {
    let bytes = WireMessage.decodeBatch(batch(3)).encoded()
    var decoder = FrameDecoder()
    decoder.append(Array(bytes.dropLast()))
    #expect(try decoder.next() == nil)
    #expect(decoder.pendingByteCount == bytes.count - 1)
    bytes.last.map { decoder.append([$0]) }
    #expect(try decoder.next() == .decodeBatch(batch(3)))
}

@Test func oversizedFrameThrows() {
    var decoder = FrameDecoder()
    let length = WireMessage.maximumFrameLength + 1
    decoder.append([UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)])
    #expect(throws: WireError.frameTooLarge(length)) { try decoder.next() }
    var huge = FrameDecoder()
    huge.append([0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: WireError.frameTooLarge(0xFFFF_FFFF)) { try huge.next() }
}

/// A frame whose declared length cuts the message short (length and body consistent, content not).
@Test func truncatedFramesThrow() {
    for message in sampleMessages {
        let body = Array(message.encoded().dropFirst(4))
        for cut in Set([0, 1, body.count / 2, body.count - 1]) where cut < body.count {
            var frame = ByteWriter()
            frame.u32(UInt32(cut))
            var decoder = FrameDecoder()
            decoder.append(frame.bytes + body.prefix(cut))
            #expect(throws: WireError.truncated) { try decoder.next() }
        }
    }
}

@Test func malformedFramesThrow() {
    func frame(_ body: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u32(UInt32(body.count))
        return w.bytes + body
    }
    func expectThrow(_ body: [UInt8], _ error: WireError, sourceLocation: SourceLocation = #_sourceLocation) {
        var decoder = FrameDecoder()
        decoder.append(frame(body))
        #expect(throws: error, sourceLocation: sourceLocation) { try decoder.next() }
    }
    expectThrow([9], .malformed("message type"))
    expectThrow([1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], .malformed("interpolation"))
    let head: [UInt8] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    let pad: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    expectThrow(head + [3, 0, 0, 0] + pad, .malformed("dtype"))
    expectThrow(head + [0, 2, 0, 0] + pad, .malformed("color"))
    expectThrow(head + [0, 0, 2, 0] + pad, .malformed("pages"))
    expectThrow(head + [0, 0, 0, 3] + pad, .malformed("resize"))
    expectThrow(head + [0, 0, 0, 0] + pad.dropLast(), .truncated)
    expectThrow([2, 1, 0, 0, 0, 0, 0, 0, 0, 2], .malformed("result status"))
    expectThrow(
        Array(WireMessage.jobResult(JobResult(jobID: 1, outcome: .rejected(Rejection(.crashed, "x")))).encoded().dropFirst(4)) + [0],
        .malformed("trailing bytes"))
    // A job count far beyond the bytes present must fail fast, not allocate.
    expectThrow([1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], .truncated)
    expectThrow(head + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], .truncated)
    // A string length beyond the frame limit.
    expectThrow([2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0x7F], .malformed("string length"))
    expectThrow([2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0x61], .truncated)
}

@Test func framesAfterAGoodOneStillDecode() throws {
    let messages = Array(sampleMessages.prefix(4))
    var decoder = FrameDecoder()
    for message in messages { decoder.append(message.encoded()) }
    var seen: [WireMessage] = []
    while let m = try decoder.next() { seen.append(m) }
    #expect(seen == messages)
    #expect(decoder.pendingByteCount == 0)
}
