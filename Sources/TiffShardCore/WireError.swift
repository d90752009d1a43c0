/// A protocol violation: the peer is not a tiffshard of the same version, or memory is corrupt.
public enum WireError: Error, Equatable, Sendable {
    case truncated
    case malformed(String)
    case frameTooLarge(Int)
}
