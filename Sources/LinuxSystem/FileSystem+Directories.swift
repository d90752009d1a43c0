import Glibc

extension FileSystem {
    /// Creates the directory `path` (and, if `intermediates`, its missing parents). Succeeds if it
    /// already exists as a directory; fails with `EEXIST` if it exists as something else.
    ///
    /// The corresponding C function is `mkdir`.
    public static func createDirectory(_ path: some SystemPath, mode: UInt32 = 0o755, intermediates: Bool = true) throws {
        switch SystemCall.valueOrErrno("mkdir", { path.withCPath { mkdir($0, mode_t(mode)) } }) {
        case .success:
            return
        case .failure(.exists):
            if try statusIfExists(path)?.kind == .directory { return }
            throw SystemCallError(call: "mkdir", path: path.displayPath, errno: .exists)
        case .failure(.noEntry) where intermediates:
            let own = FilePath(bytes: path.pathBytes)
            let parent = own.parent
            guard parent != own && parent != "." && parent != "/" else {
                throw SystemCallError(call: "mkdir", path: path.displayPath, errno: .noEntry)
            }
            try createDirectory(parent, mode: mode, intermediates: true)
            try createDirectory(path, mode: mode, intermediates: false)
        case .failure(let error):
            throw SystemCallError(call: "mkdir", path: path.displayPath, errno: error)
        }
    }

    /// Makes the directory's entries (creations, renames, removals) durable.
    ///
    /// The corresponding C functions are `open(O_DIRECTORY|O_RDONLY)`, `fsync` and `close`.
    public static func syncDirectory(_ path: some SystemPath) throws {
        let directory = try FileDescriptor.open(path, [.readOnly, .directory])
        defer { directory.close() }
        do {
            try directory.sync()
        } catch let error as SystemCallError {
            throw SystemCallError(call: "fsync", path: path.displayPath, errno: error.errno)
        }
    }

    /// The entries of directory `path` in the order the file system returns them, without `.` and `..`.
    ///
    /// The corresponding C functions are `opendir`, `readdir` and `closedir` (`opendir` sets
    /// close-on-exec).
    public static func listDirectory(_ path: some SystemPath) throws -> [DirectoryEntry] {
        guard let stream = path.withCPath({ opendir($0) }) else {
            throw SystemCall.lastError("opendir", path: path.displayPath)
        }
        defer { closedir(stream) }
        var entries = [DirectoryEntry]()
        while true {
            // readdir returns NULL both at the end and on error; only errno tells them apart.
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw SystemCall.lastError("readdir", path: path.displayPath)
                }
                return entries
            }
            let nameBytes = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] {
                continue
            }
            var kind = FileKind(directoryEntryType: entry.pointee.d_type)
            if kind == .unknown {
                kind = try resolveKind(directory: FilePath(bytes: path.pathBytes), nameBytes: nameBytes)
            }
            entries.append(DirectoryEntry(nameBytes: nameBytes, kind: kind))
        }
    }

    /// The kind of `directory/name` by `lstat`, for file systems that report `DT_UNKNOWN`.
    private static func resolveKind(directory: FilePath, nameBytes: [UInt8]) throws -> FileKind {
        let path = directory.appending(nameBytes)
        var raw = stat()
        let result = SystemCall.valueOrErrno("lstat") { path.withCPath { lstat($0, &raw) } }
        switch result {
        case .success: return FileKind(mode: raw.st_mode)
        case .failure(.noEntry): return .unknown  // removed since readdir saw it
        case .failure(let error): throw SystemCallError(call: "lstat", path: path.description, errno: error)
        }
    }
}

extension FileSystem {
    /// Creates a new, empty, private (0700) directory named `prefix` plus six random characters
    /// inside `parent` and returns its path.
    ///
    /// The corresponding C function is `mkdtemp`.
    public static func createTemporaryDirectory(in parent: String = "/tmp", prefix: String = "tmp.") throws -> String {
        var template = Array("\(parent)/\(prefix)XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw SystemCall.lastError("mkdtemp", path: "\(parent)/\(prefix)XXXXXX")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Removes `path` and, if it is a directory, everything below it (symbolic links are removed,
    /// not followed). Succeeds if `path` does not exist.
    ///
    /// The corresponding C functions are `unlink` and `rmdir`.
    public static func removeTree(_ path: String) throws {
        guard let status = try statusIfExists(path, followSymlinks: false) else { return }
        if status.kind == .directory {
            for entry in try listDirectory(path) {
                try removeTree("\(path)/\(entry.name)")
            }
            try removeDirectory(path)
        } else {
            _ = try unlinkIfExists(path)
        }
    }
}
