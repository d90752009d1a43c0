/// Little-endian decoder of wire message bodies; every read is bounds-checked.
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
