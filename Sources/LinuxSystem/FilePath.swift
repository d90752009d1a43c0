/// A path as the kernel sees it: bytes, not text (a name need not be valid UTF-8).
public struct FilePath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, without a terminating NUL.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(stringLiteral text: String) { self.init(text) }

    /// The path as text, bytes that are not valid UTF-8 replaced by U+FFFD (for messages only).
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// `self/component`.
    public func appending(_ component: [UInt8]) -> FilePath { FilePath(bytes: bytes + [0x2F] + component) }

    /// The parent directory (`.` for a bare name, `/` for a child of the root).
    public var parent: FilePath {
        var trimmed = bytes
        if trimmed.count > 1 && trimmed.last == 0x2F { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: 0x2F) else { return "." }
        return slash == 0 ? "/" : FilePath(bytes: Array(trimmed[..<slash]))
    }
}

/// Something a system call can take as a path: a `String` or a ``FilePath``.
public protocol SystemPath {
    /// The bytes handed to the kernel.
    var pathBytes: [UInt8] { get }
    /// The path for error messages.
    var displayPath: String { get }
}

extension String: SystemPath {
    public var pathBytes: [UInt8] { Array(utf8) }
    public var displayPath: String { self }
}

extension FilePath: SystemPath {
    public var pathBytes: [UInt8] { bytes }
    public var displayPath: String { description }
}

extension SystemPath {
    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCPath<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = pathBytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
