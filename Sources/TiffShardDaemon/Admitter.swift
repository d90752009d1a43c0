import LinuxSystem
import TiffShardCore

/// Decides whether a directory entry is a candidate TIFF, by name and file type (content is the worker's job).
struct Admitter: Sendable {
    enum Verdict: Equatable {
        /// A regular file with a TIFF name: hand it to the engine.
        case candidate(SourceFile)
        /// A TIFF name that cannot be ingested (directory, FIFO, symlink, dangling link...): quarantine.
        case rejected(SourceFile, Rejection)
        /// A subdirectory to descend into (recursive mode).
        case directory(String)
        /// Not ours: wrong name, hidden, temporary, vanished.
        case ignored
    }

    /// The ingest or source directory; manifests record paths relative to it.
    let root: String
    let followSymlinks: Bool
    let recursive: Bool

    /// Looks at `root/relativePath` with `lstat` (and `stat` when following symlinks).
    func examine(_ relativePath: String, nameIsValidUTF8: Bool = true) -> Verdict {
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        let path = root + "/" + relativePath
        guard nameIsValidUTF8 else {
            // The name was decoded lossily, so it cannot be opened, examined or moved: report it, leave it.
            guard Admission.isCandidateName(name) else { return .ignored }
            let file = SourceFile(path: path, relativePath: relativePath, size: 0, modificationTimeNanoseconds: 0)
            return .rejected(file, Rejection(.badName, "file name is not valid UTF-8"))
        }
        guard let status = try? FileSystem.statusIfExists(path, followSymlinks: false) else { return .ignored }
        if status.kind == .directory && recursive && !name.hasPrefix(".") { return .directory(relativePath) }
        guard Admission.isCandidateName(name) else { return .ignored }
        func file(_ s: FileStatus) -> SourceFile {
            SourceFile(path: path, relativePath: relativePath, size: s.size, modificationTimeNanoseconds: s.modificationTimeNanoseconds)
        }
        switch status.kind {
        case .regular:
            return .candidate(file(status))
        case .symlink:
            guard followSymlinks else {
                return .rejected(file(status), Rejection(.symlink, "not followed (set follow-symlinks: true to allow)"))
            }
            guard let target = try? FileSystem.statusIfExists(path, followSymlinks: true) else {
                return .rejected(file(status), Rejection(.symlink, "dangling (target does not exist)"))
            }
            guard target.kind == .regular else {
                return .rejected(file(status), Rejection(.notRegular, "symlink to \(Self.describe(target.kind))"))
            }
            return .candidate(file(target))
        default:
            return .rejected(file(status), Rejection(.notRegular, Self.describe(status.kind)))
        }
    }

    static func describe(_ kind: FileKind) -> String {
        switch kind {
        case .regular: "regular file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .fifo: "FIFO"
        case .socket: "socket"
        case .characterDevice: "character device"
        case .blockDevice: "block device"
        case .unknown: "unknown file type"
        }
    }

    /// Every verdict under the root (or under `subdirectory`), in sorted path order. Directories are
    /// descended when recursive and `descend` is true; hidden directories never are.
    func scan(_ subdirectory: String? = nil, descend: Bool = true) throws -> [Verdict] {
        let directory = subdirectory.map { root + "/" + $0 } ?? root
        let entries = try FileSystem.listDirectory(directory).sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        var verdicts: [Verdict] = []
        for entry in entries {
            let relative = subdirectory.map { $0 + "/" + entry.name } ?? entry.name
            let verdict = examine(relative, nameIsValidUTF8: entry.nameIsValidUTF8)
            if case .directory(let sub) = verdict, descend {
                verdicts.append(verdict)
                verdicts += (try? scan(sub)) ?? []
            } else {
                verdicts.append(verdict)
            }
        }
        return verdicts
    }
}
