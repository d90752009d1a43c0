import Glibc

/// An inotify instance: reports changes in watched files and directories.
public final class Inotify: @unchecked Sendable {
    /// The non-blocking, close-on-exec descriptor to poll for readability. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor

    /// Bytes read per ``readEvents()``: room for at least 256 events with the longest names.
    static let bufferSize = 256 * (16 + Int(NAME_MAX) + 1)

    /// Creates an instance with no watches.
    ///
    /// The corresponding C function is `inotify_init1` (`IN_NONBLOCK | IN_CLOEXEC`).
    public init() throws {
        let fd = try SystemCall.value("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        fileDescriptor = FileDescriptor(rawValue: fd)
    }

    /// Watches `path` for the events in `mask`; returns the watch descriptor that events carry. Adding
    /// a path that is already watched returns the same descriptor and replaces its mask.
    ///
    /// The corresponding C function is `inotify_add_watch`.
    public func addWatch(_ path: some SystemPath, mask: InotifyMask) throws -> Int32 {
        try SystemCall.value("inotify_add_watch", path: path.displayPath) {
            path.withCPath { inotify_add_watch(fileDescriptor.rawValue, $0, mask.rawValue) }
        }
    }

    /// Removes a watch; the kernel then reports ``InotifyMask/ignored`` for it.
    ///
    /// The corresponding C function is `inotify_rm_watch`.
    public func removeWatch(_ watch: Int32) throws {
        _ = try SystemCall.value("inotify_rm_watch", path: "watch \(watch)") {
            inotify_rm_watch(fileDescriptor.rawValue, watch)
        }
    }

    /// The pending events (one read's worth, up to 256 or more); `[]` when nothing is pending. Call
    /// again while the descriptor stays readable.
    ///
    /// The corresponding C function is `read`.
    public func readEvents() throws -> [InotifyEvent] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        guard let count = try fileDescriptor.readIfAvailable(into: buffer) else {
            return []
        }
        return Self.parse(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }

    /// Closes the descriptor, which removes all watches.
    deinit {
        fileDescriptor.close()
    }

    /// Decodes `struct inotify_event` records: wd, mask, cookie, len (4 bytes each), then `len` bytes
    /// of NUL-padded name at offset 16 (a flexible array member Swift does not import).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events = [InotifyEvent]()
        var offset = 0
        while offset + 16 <= bytes.count {
            let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + 16
            let nameEnd = min(nameStart + length, bytes.count)
            let name = Array(bytes[nameStart..<nameEnd].prefix { $0 != 0 })
            events.append(
                InotifyEvent(watch: watch, mask: InotifyMask(rawValue: mask), cookie: cookie, nameBytes: name))
            offset = nameStart + length
        }
        return events
    }
}
