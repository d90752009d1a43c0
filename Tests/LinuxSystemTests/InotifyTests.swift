import TestSupport
import Testing

@testable import LinuxSystem

@Suite struct InotifyTests {
    /// Reads events until one matches `predicate` (epoll-blocking in between), returning all read.
    func events(from inotify: Inotify, until predicate: (InotifyEvent) -> Bool) throws -> [InotifyEvent] {
        let epoll = try Epoll()
        try epoll.add(inotify.fileDescriptor, events: .readable, token: 0)
        var seen = [InotifyEvent]()
        while !seen.contains(where: predicate) {
            _ = try epoll.wait(timeoutMilliseconds: -1)
            seen += try inotify.readEvents()
        }
        return seen
    }

    @Test func closeWriteAndMovedToCarryTheName() throws {
        let ingest = try TemporaryDirectory()
        let staging = try TemporaryDirectory()
        defer {
            ingest.remove()
            staging.remove()
        }
        let inotify = try Inotify()
        #expect(try inotify.fileDescriptor.isCloseOnExec())
        #expect(try inotify.readEvents().isEmpty)
        let watch = try inotify.addWatch(ingest.path, mask: [.closeWrite, .movedTo, .onlyDirectory, .excludeUnlinked])

        let written = "scan 001.tif"
        let file = try FileDescriptor.open(ingest.file(written), [.writeOnly, .create])
        try file.writeAll([1, 2, 3])
        file.close()
        let closeEvents = try events(from: inotify) { $0.mask.contains(.closeWrite) }
        let closed = try #require(closeEvents.first { $0.mask.contains(.closeWrite) })
        #expect(closed.watch == watch)
        #expect(closed.name == written)
        #expect(closed.nameIsValidUTF8)

        // A name with a newline and non-ASCII characters, moved in from another directory.
        let moved = "line\nbreak-été-日本.tiff"
        try FileSystem.writeFileAtomically(staging.file(moved), [4])
        try FileSystem.rename(staging.file(moved), to: ingest.file(moved))
        let moveEvents = try events(from: inotify) { $0.mask.contains(.movedTo) }
        let arrived = try #require(moveEvents.first { $0.mask.contains(.movedTo) })
        #expect(arrived.name == moved)
        #expect(arrived.nameBytes == Array(moved.utf8))
        #expect(arrived.cookie != 0)
        #expect(arrived.watch == watch)
    }

    @Test func directoryEventsAndRemovedWatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let inotify = try Inotify()
        let watch = try inotify.addWatch(directory.path, mask: [.create, .delete])
        try FileSystem.createDirectory(directory.file("sub"))
        let created = try events(from: inotify) { $0.mask.contains(.create) }
        #expect(created.contains { $0.mask.contains([.create, .isDirectory]) && $0.name == "sub" })
        try inotify.removeWatch(watch)
        let ignored = try events(from: inotify) { $0.mask.contains(.ignored) }
        #expect(ignored.contains { $0.watch == watch && $0.name.isEmpty })
    }

    @Test func addWatchOnMissingDirectoryFailsWithPath() throws {
        let inotify = try Inotify()
        let error = #expect(throws: SystemCallError.self) {
            _ = try inotify.addWatch("/nonexistent/ingest", mask: .closeWrite)
        }
        #expect(error?.description == "inotify_add_watch /nonexistent/ingest: No such file or directory")
    }

    @Test func parserHandlesPaddingAndInvalidUTF8() {
        // Two records as the kernel lays them out: 16-byte header, then a NUL-padded name.
        func record(watch: Int32, mask: UInt32, cookie: UInt32, name: [UInt8], padded length: Int) -> [UInt8] {
            var bytes = [UInt8]()
            withUnsafeBytes(of: watch.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: mask.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: cookie.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: UInt32(length).littleEndian) { bytes += $0 }
            return bytes + name + [UInt8](repeating: 0, count: length - name.count)
        }
        let invalid: [UInt8] = [0x66, 0xFF, 0x2E, 0x74]
        let buffer =
            record(watch: 3, mask: InotifyMask.closeWrite.rawValue, cookie: 0, name: invalid, padded: 16)
            + record(watch: -1, mask: InotifyMask.queueOverflow.rawValue, cookie: 0, name: [], padded: 0)
            + record(watch: 4, mask: InotifyMask.movedTo.rawValue, cookie: 9, name: Array("ok".utf8), padded: 32)
        let events = buffer.withUnsafeBytes { Inotify.parse($0) }
        #expect(events.count == 3)
        #expect(events[0].nameBytes == invalid)
        #expect(!events[0].nameIsValidUTF8)
        #expect(events[0].name == "f\u{FFFD}.t")
        #expect(events[1].mask == .queueOverflow && events[1].watch == -1 && events[1].name.isEmpty)
        #expect(events[2].name == "ok" && events[2].cookie == 9 && events[2].nameIsValidUTF8)
    }
}
