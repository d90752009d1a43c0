/// A failed system call as the engine sees it: its error number (when known, e.g. `ENOSPC` = 28 for a
/// full disk) and the text people read, with the call and the path. Worker spawn failures and failed
/// publications are both this.
public struct SystemFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// `errno` of the failing call, if the failure came from one.
    public var errorNumber: Int32?
    /// The error as people read it (`writing shard-00000003.npy: writev: No space left on device`).
    public var detail: String

    public init(errorNumber: Int32? = nil, detail: String) {
        self.errorNumber = errorNumber
        self.detail = detail
    }

    public var description: String { detail }
}
