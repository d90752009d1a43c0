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
