import CLinuxShim
import Glibc

/// Operations on paths: status, rename, unlink, directories, whole-file reads and atomic writes.
public enum FileSystem {
    /// The status of `path`, following a final symbolic link unless `followSymlinks` is false.
    ///
    /// The corresponding C functions are `stat` and `lstat`.
    public static func status(_ path: some SystemPath, followSymlinks: Bool = true) throws -> FileStatus {
        var raw = stat()
        if followSymlinks {
            _ = try SystemCall.value("stat", path: path.displayPath) { path.withCPath { stat($0, &raw) } }
        } else {
            _ = try SystemCall.value("lstat", path: path.displayPath) { path.withCPath { lstat($0, &raw) } }
        }
        return FileStatus(raw)
    }

    /// Like ``status(_:followSymlinks:)``, but `nil` if `path` does not exist (`ENOENT`, `ENOTDIR`).
    ///
    /// The corresponding C functions are `stat` and `lstat`.
    public static func statusIfExists(_ path: some SystemPath, followSymlinks: Bool = true) throws -> FileStatus? {
        do {
            return try status(path, followSymlinks: followSymlinks)
        } catch let error as SystemCallError where error.errno == .noEntry || error.errno == .notDirectory {
            return nil
        }
    }

    /// Renames `from` to `to`, atomically replacing `to` if it exists.
    ///
    /// The corresponding C function is `rename`.
    public static func rename(_ from: String, to: String) throws {
        _ = try SystemCall.value("rename", path: "\(from) -> \(to)") { Glibc.rename(from, to) }
    }

    /// Renames `from` to `to` unless `to` exists, in which case it fails with `EEXIST`; atomic.
    ///
    /// The corresponding C function is `renameat2` with `RENAME_NOREPLACE`.
    public static func renameNoReplace(_ from: some SystemPath, to: some SystemPath) throws {
        _ = try SystemCall.value("renameat2(RENAME_NOREPLACE)", path: "\(from.displayPath) -> \(to.displayPath)") {
            from.withCPath { source in to.withCPath { tsl_rename_noreplace(source, $0) } }
        }
    }

    /// Removes the name `path` (not a directory).
    ///
    /// The corresponding C function is `unlink`.
    public static func unlink(_ path: some SystemPath) throws {
        _ = try SystemCall.value("unlink", path: path.displayPath) { path.withCPath { Glibc.unlink($0) } }
    }

    /// Removes `path` if it exists; returns whether it existed.
    ///
    /// The corresponding C function is `unlink`.
    public static func unlinkIfExists(_ path: some SystemPath) throws -> Bool {
        switch SystemCall.valueOrErrno("unlink", { path.withCPath { Glibc.unlink($0) } }) {
        case .success: return true
        case .failure(.noEntry): return false
        case .failure(let error): throw SystemCallError(call: "unlink", path: path.displayPath, errno: error)
        }
    }

    /// Removes the empty directory `path`.
    ///
    /// The corresponding C function is `rmdir`.
    public static func removeDirectory(_ path: String) throws {
        _ = try SystemCall.value("rmdir", path: path) { rmdir(path) }
    }

    /// Resolves `path` to an absolute path without `.`, `..` or symbolic links.
    ///
    /// The corresponding C function is `realpath`.
    public static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            throw SystemCall.lastError("realpath", path: path)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The current working directory.
    ///
    /// The corresponding C function is `getcwd`.
    public static func currentDirectory() throws -> String {
        guard let directory = getcwd(nil, 0) else {
            throw SystemCall.lastError("getcwd")
        }
        defer { free(directory) }
        return String(cString: directory)
    }

    /// Creates a symbolic link at `path` pointing to `target`.
    ///
    /// The corresponding C function is `symlink`.
    public static func createSymbolicLink(_ path: String, to target: String) throws {
        _ = try SystemCall.value("symlink", path: "\(path) -> \(target)") { symlink(target, path) }
    }

    /// The parent directory of `path` (`"."` for a bare name, `"/"` for a child of the root).
    static func parentDirectory(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = trimmed[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }

    /// The last component of `path`.
    static func lastComponent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}

extension FileSystem {
    /// The target a symbolic link points to, as stored (not resolved).
    ///
    /// The corresponding C function is `readlink`.
    public static func readSymbolicLink(_ path: String) throws -> String {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let count = try buffer.withUnsafeMutableBytes { raw in
                try SystemCall.value("readlink", path: path) {
                    readlink(path, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                }
            }
            if count < capacity {
                return String(decoding: buffer[..<count], as: UTF8.self)
            }
            capacity *= 4
        }
    }
}
