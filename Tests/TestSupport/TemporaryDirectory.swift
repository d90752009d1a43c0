import LinuxSystem

/// A fresh, private directory under `$TMPDIR` (or `/tmp`) for one test, removed with everything in it
/// by ``remove()`` or, at the latest, when the value is deinitialised.
///
/// The one temporary-directory helper of every test target. Call ``remove()`` in a `defer` when the test
/// keeps only paths derived from ``path``: that keeps the value alive until the test ends (Swift may
/// otherwise release it after its last use).
public final class TemporaryDirectory: @unchecked Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `tiffshard-LABEL-XXXXXX` (mkdtemp, mode 0700).
    public init(_ label: String = "test") throws {
        let parent = Environment.get("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        path = try FileSystem.createTemporaryDirectory(in: parent, prefix: "tiffshard-\(label)-")
    }

    /// `path/relative`.
    public func callAsFunction(_ relative: String) -> String { path + "/" + relative }

    /// `path/relative`.
    public func file(_ relative: String) -> String { self(relative) }

    /// Creates `path/relative` (and missing parents) as a directory and returns its path.
    @discardableResult
    public func directory(_ relative: String) throws -> String {
        try FileSystem.createDirectory(self(relative))
        return self(relative)
    }

    /// Names in `path/relative`, sorted; empty if it cannot be listed.
    public func list(_ relative: String) -> [String] {
        ((try? FileSystem.listDirectory(self(relative))) ?? []).map(\.name).sorted()
    }

    /// Writes `bytes` to `path/relative` (created or truncated) and returns its path.
    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let target = self(relative)
        let file = try FileDescriptor.open(target, [.writeOnly, .create, .truncate])
        defer { file.close() }
        try file.writeAll(bytes)
        return target
    }

    /// Deletes the directory tree now (best effort; idempotent).
    public func remove() {
        try? FileSystem.removeTree(path)
    }

    deinit { remove() }
}
