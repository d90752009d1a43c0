import LinuxSystem
import Testing

@Suite struct SocketPairTests {
    @Test func bytesCrossInBothDirections() throws {
        let (a, b) = try SocketPair.stream()
        defer {
            a.close()
            b.close()
        }
        try a.writeAll(Array("ping".utf8))
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try b.read(into: $0) }
        #expect(Array(buffer[..<count]) == Array("ping".utf8))
        try b.writeAll(Array("pong".utf8))
        let back = try buffer.withUnsafeMutableBytes { try a.read(into: $0) }
        #expect(Array(buffer[..<back]) == Array("pong".utf8))
    }

    @Test func closingOneEndGivesEndOfFile() throws {
        let (a, b) = try SocketPair.stream()
        defer { b.close() }
        a.close()
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(try buffer.withUnsafeMutableBytes { try b.read(into: $0) } == 0)
    }
}
