import Glibc

extension FileSystem {
    /// The whole contents of the file at `path`.
    ///
    /// The corresponding C functions are `open`, `read` and `close`.
    public static func readFile(_ path: some SystemPath) throws -> [UInt8] {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        do {
            return try file.readToEnd()
        } catch let error as SystemCallError {
            throw SystemCallError(call: error.call, path: path.displayPath, errno: error.errno)
        }
    }

    /// Replaces the file at `path` with `bytes` so that after a crash it holds either the old or the new
    /// contents, durably: writes a temporary file in the same directory, fsyncs it, renames it over
    /// `path` and fsyncs the directory. The new file has mode 0644 (less the umask).
    ///
    /// The corresponding C functions are `open`, `write`, `fsync`, `rename` and `fsync` on the directory.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws {
        let directory = parentDirectory(of: path)
        let temporary = "\(directory)/.\(lastComponent(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = try FileDescriptor.open(temporary, [.writeOnly, .create, .exclusive], mode: 0o644)
        do {
            defer { file.close() }
            try file.writeAll(bytes)
            try file.sync()
        } catch let error as SystemCallError {
            _ = try? unlinkIfExists(temporary)
            throw SystemCallError(call: error.call, path: temporary, errno: error.errno)
        }
        do {
            try rename(temporary, to: path)
        } catch {
            _ = try? unlinkIfExists(temporary)
            throw error
        }
        try syncDirectory(directory)
    }
}
