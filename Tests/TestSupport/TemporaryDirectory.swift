import Foundation

/// A fresh directory under /tmp, removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "test") throws {
        let base = FileManager.default.temporaryDirectory.path + "/tiffshard-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    /// `path/relative`.
    public func callAsFunction(_ relative: String) -> String { path + "/" + relative }

    /// Creates `path/relative` as a directory and returns its path.
    @discardableResult
    public func directory(_ relative: String) throws -> String {
        try FileManager.default.createDirectory(atPath: self(relative), withIntermediateDirectories: true)
        return self(relative)
    }

    /// Names in `path/relative`, sorted.
    public func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: self(relative))) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
