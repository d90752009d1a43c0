import LinuxSystem

/// A fresh directory under /tmp for one test, removed with everything in it by ``remove()``.
struct TemporaryDirectory {
    /// The directory's absolute path.
    let path: String

    /// Creates the directory.
    init() throws {
        path = try FileSystem.createTemporaryDirectory(prefix: "linuxsystem-tests.")
    }

    /// `path/name`.
    func file(_ name: String) -> String {
        "\(path)/\(name)"
    }

    /// Deletes the directory tree (best effort).
    func remove() {
        try? FileSystem.removeTree(path)
    }
}
