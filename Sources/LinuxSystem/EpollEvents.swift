import CLinuxShim

/// Readiness conditions for ``Epoll``.
public struct EpollEvents: OptionSet, Sendable, Hashable {
    /// The raw C bits.
    public let rawValue: UInt32

    /// Wraps raw C bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Data to read, or end of file (`EPOLLIN`).
    public static let readable = EpollEvents(rawValue: UInt32(TSL_EPOLLIN))
    /// Room to write (`EPOLLOUT`).
    public static let writable = EpollEvents(rawValue: UInt32(TSL_EPOLLOUT))
    /// The peer closed the connection or the pipe's other end is gone (`EPOLLHUP`); always reported.
    public static let hangup = EpollEvents(rawValue: UInt32(TSL_EPOLLHUP))
    /// An error is pending on the descriptor (`EPOLLERR`); always reported.
    public static let error = EpollEvents(rawValue: UInt32(TSL_EPOLLERR))
    /// The peer shut down its writing half (`EPOLLRDHUP`).
    public static let readHangup = EpollEvents(rawValue: UInt32(TSL_EPOLLRDHUP))
}
