import CLinuxShim

/// An epoll instance: waits until any of a set of descriptors is ready. Level-triggered.
public final class Epoll: @unchecked Sendable {
    /// The close-on-exec epoll descriptor. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor

    /// Creates an empty interest list.
    ///
    /// The corresponding C function is `epoll_create1` (`EPOLL_CLOEXEC`).
    public init() throws {
        fileDescriptor = FileDescriptor(rawValue: try SystemCall.value("epoll_create1") { tsl_epoll_create() })
    }

    /// Watches `fd` for `events`; ``wait(timeoutMilliseconds:maxEvents:)`` reports it with `token`.
    ///
    /// The corresponding C function is `epoll_ctl` (`EPOLL_CTL_ADD`).
    public func add(_ fd: FileDescriptor, events: EpollEvents, token: UInt64) throws {
        try control(TSL_EPOLL_CTL_ADD, "epoll_ctl(EPOLL_CTL_ADD)", fd, events, token)
    }

    /// Changes the events and token of a watched `fd`.
    ///
    /// The corresponding C function is `epoll_ctl` (`EPOLL_CTL_MOD`).
    public func modify(_ fd: FileDescriptor, events: EpollEvents, token: UInt64) throws {
        try control(TSL_EPOLL_CTL_MOD, "epoll_ctl(EPOLL_CTL_MOD)", fd, events, token)
    }

    /// Stops watching `fd`. (Closing a descriptor removes it too, unless it was duplicated.)
    ///
    /// The corresponding C function is `epoll_ctl` (`EPOLL_CTL_DEL`).
    public func remove(_ fd: FileDescriptor) throws {
        try control(TSL_EPOLL_CTL_DEL, "epoll_ctl(EPOLL_CTL_DEL)", fd, [], 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: just poll) for ready descriptors and returns
    /// at most `maxEvents` of them; `[]` on timeout or when a signal interrupted the wait, so the
    /// caller's loop can look at its state again.
    ///
    /// The corresponding C function is `epoll_wait`.
    public func wait(timeoutMilliseconds: Int32, maxEvents: Int = 64) throws -> [(token: UInt64, events: EpollEvents)] {
        precondition(maxEvents > 0, "maxEvents must be positive")
        let ready = try [tsl_epoll_event](unsafeUninitializedCapacity: maxEvents) { buffer, initialized in
            initialized = 0
            let result = SystemCall.valueOrErrno("epoll_wait", retryOnInterrupt: false) {
                tsl_epoll_wait(fileDescriptor.rawValue, buffer.baseAddress!, Int32(maxEvents), timeoutMilliseconds)
            }
            switch result {
            case .success(let count): initialized = Int(count)
            case .failure(.interrupted): break
            case .failure(let error): throw SystemCallError(call: "epoll_wait", errno: error)
            }
        }
        return ready.map { (token: $0.data, events: EpollEvents(rawValue: $0.events)) }
    }

    /// Closes the epoll descriptor.
    deinit {
        fileDescriptor.close()
    }

    /// `epoll_ctl(op)` with one event.
    private func control(_ op: Int, _ call: String, _ fd: FileDescriptor, _ events: EpollEvents, _ token: UInt64) throws
    {
        _ = try SystemCall.value(call, path: "fd \(fd.rawValue)") {
            tsl_epoll_ctl(fileDescriptor.rawValue, Int32(op), fd.rawValue, events.rawValue, token)
        }
    }
}
