import LinuxSystem
import TestSupport
import Testing

@Suite struct FileDescriptorTests {
    @Test func openWriteReadRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("a")
        let file = try FileDescriptor.open(path, [.readWrite, .create, .exclusive], mode: 0o600)
        defer { file.close() }
        try file.writeAll(Array("hello world".utf8))
        try file.sync()
        #expect(try file.status().size == 11)
        #expect(try file.status().kind == .regular)
        #expect(try file.status().permissions == 0o600)
        #expect(try FileSystem.readFile(path) == Array("hello world".utf8))
        try file.truncate(to: 5)
        #expect(try FileSystem.readFile(path) == Array("hello".utf8))
    }

    @Test func everyDescriptorIsCloseOnExec() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try FileDescriptor.open(directory.file("x"), [.writeOnly, .create])
        defer { file.close() }
        #expect(try file.isCloseOnExec())
        let copy = try file.duplicate()
        defer { copy.close() }
        #expect(copy != file)
        #expect(try copy.isCloseOnExec())
        let (a, b) = try SocketPair.stream()
        defer {
            a.close()
            b.close()
        }
        #expect(try a.isCloseOnExec() && b.isCloseOnExec())
        let pipe = try Pipe.create()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        #expect(try pipe.read.isCloseOnExec() && pipe.write.isCloseOnExec())
    }

    @Test func openMissingFileCarriesPathInError() throws {
        let error = #expect(throws: SystemCallError.self) {
            _ = try FileDescriptor.open("/nonexistent/dir/file", .readOnly)
        }
        #expect(error?.errno == .noEntry)
        #expect(error?.description == "open /nonexistent/dir/file: No such file or directory")
    }

    @Test func readIfAvailableReturnsNilWhenEmpty() throws {
        let pipe = try Pipe.create(nonBlocking: true)
        defer { pipe.read.close() }
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(try buffer.withUnsafeMutableBytes { try pipe.read.readIfAvailable(into: $0) } == nil)
        try pipe.write.writeAll([1, 2, 3])
        #expect(try buffer.withUnsafeMutableBytes { try pipe.read.readIfAvailable(into: $0) } == 3)
        pipe.write.close()
        #expect(try buffer.withUnsafeMutableBytes { try pipe.read.read(into: $0) } == 0)
    }

    @Test func setNonBlockingToggles() throws {
        let pipe = try Pipe.create()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        #expect(try !pipe.read.isNonBlocking())
        try pipe.read.setNonBlocking(true)
        #expect(try pipe.read.isNonBlocking())
        try pipe.read.setNonBlocking(false)
        #expect(try !pipe.read.isNonBlocking())
    }

    @Test func writeAllGathersMoreBuffersThanIOVMax() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("gathered")
        // 3000 buffers (IOV_MAX is 1024) of varying sizes, some empty, each filled with its index.
        let chunks: [[UInt8]] = (0..<3000).map { index in
            [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: index % 7)
        }
        let file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate])
        try withBuffers(chunks) { try file.writeAll($0) }
        file.close()
        #expect(try FileSystem.readFile(path) == chunks.flatMap { $0 })
    }

    @Test func writeAllLoopsOverPartialWritesToAFullPipe() throws {
        // A pipe holds 64 KiB; writing 1 MiB in 300 buffers forces partial writev results.
        let pipe = try Pipe.create()
        let chunks: [[UInt8]] = (0..<300).map { [UInt8](repeating: UInt8($0 % 251), count: 3500 + $0) }
        let reader = try ThreadResult { () throws -> [UInt8] in
            defer { pipe.read.close() }
            return try pipe.read.readToEnd()
        }
        try withBuffers(chunks) { try pipe.write.writeAll($0) }
        pipe.write.close()
        #expect(try reader.value() == chunks.flatMap { $0 })
    }

    @Test func readToEndOfProcFile() throws {
        let file = try FileDescriptor.open("/proc/self/status", .readOnly)
        defer { file.close() }
        let text = String(decoding: try file.readToEnd(), as: UTF8.self)
        #expect(text.contains("Pid:\t\(ChildProcess.currentProcessID)"))
    }
}

/// Calls `body` with raw buffers over every chunk (kept alive for the call).
func withBuffers(_ chunks: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws -> Void) throws {
    let storage = chunks.map { chunk -> UnsafeMutableRawBufferPointer in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk.count, alignment: 1)
        buffer.copyBytes(from: chunk)
        return buffer
    }
    defer { storage.forEach { $0.deallocate() } }
    try body(storage.map { UnsafeRawBufferPointer($0) })
}
