import Foundation
import Glibc

/// A real `NOTIFY_SOCKET`: an AF_UNIX datagram socket in a temp directory that records every
/// sd_notify message the daemon sends, as systemd would receive it.
public final class NotifySocketRecorder: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [String] = []
    private var thread: Thread?
    private var stopped = false

    public init(directory: String) throws {
        path = directory + "/notify.sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            precondition(bytes.count < raw.count, "socket path too long")
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [unowned self] in self.receiveLoop() }
        self.thread = thread
        thread.start()
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            lock.lock()
            let done = stopped
            lock.unlock()
            if done { return }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.lock()
                messages.append(text)
                lock.unlock()
            }
        }
    }

    /// Every datagram so far.
    public var received: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }

    /// Every `KEY=value` assignment so far, in order (datagrams split on newlines).
    public var assignments: [String] { received.flatMap { $0.split(separator: "\n").map(String.init) } }

    /// Values of `KEY=` in order.
    public func values(_ key: String) -> [String] {
        assignments.filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Waits until `predicate` holds for the recorded assignments; false on timeout.
    public func wait(timeout: Double = 20, until predicate: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(assignments) { return true }
            usleep(10_000)
        }
        return predicate(assignments)
    }

    deinit {
        lock.lock()
        stopped = true
        lock.unlock()
        while let t = thread, !t.isFinished { usleep(1000) }
        close(fd)
        unlink(path)
    }
}
