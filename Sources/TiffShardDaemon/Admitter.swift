import LinuxSystem
import TiffShardCore

/// Looks at directory entries (`lstat`, and `stat` of a followed symlink) and says what each is for the
/// intake: a candidate TIFF, a TIFF name that cannot be ingested, or nothing of ours. Content checks
/// (signature, pixel limit) are the worker's job. Paths are bytes relative to the root throughout.
struct Admitter: Sendable {
    /// One entry found by a listing: something for the intake, or a subdirectory to descend into.
    enum Finding: Equatable {
        case examined(Intake.Examination)
        case directory(SourcePath)
    }

    /// The ingest or source directory; manifests record paths relative to it.
    let root: FilePath
    let followSymlinks: Bool
    let recursive: Bool

    /// `root/path`, the only place the root is joined to a source's path.
    func absolute(_ path: SourcePath) -> FilePath { FilePath(bytes: path.absolute(under: root.bytes)) }

    /// Looks at `root/path` for the intake (a directory is `absent`: the intake never sees one).
    func examine(_ path: SourcePath) -> Intake.Examination {
        if case .examined(let examination) = find(path) { return examination }
        return .absent(path)
    }

    /// Looks at `root/path`; a subdirectory is reported as such when recursive.
    func find(_ path: SourcePath) -> Finding {
        let full = absolute(path)
        guard let status = try? FileSystem.statusIfExists(full, followSymlinks: false) else {
            return .examined(.absent(path))
        }
        if status.kind == .directory && recursive && !path.isHidden { return .directory(path) }
        guard Admission.isCandidateName(path.name.bytes) else { return .examined(.absent(path)) }
        func file(_ s: FileStatus) -> SourceFile {
            SourceFile(relativePath: path, size: s.size, modificationTimeNanoseconds: s.modificationTimeNanoseconds)
        }
        switch status.kind {
        case .regular:
            return .examined(.candidate(file(status)))
        case .symlink:
            guard followSymlinks else {
                return .examined(.rejected(file(status), Rejection(.symlink, "not followed (set follow-symlinks: true to allow)")))
            }
            guard let target = try? FileSystem.statusIfExists(full, followSymlinks: true) else {
                return .examined(.rejected(file(status), Rejection(.symlink, "dangling (target does not exist)")))
            }
            guard target.kind == .regular else {
                return .examined(.rejected(file(status), Rejection(.notRegular, "symlink to \(Self.describe(target.kind))")))
            }
            return .examined(.candidate(file(target)))
        default:
            return .examined(.rejected(file(status), Rejection(.notRegular, Self.describe(status.kind))))
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

    /// What is in `directory` (the root when empty), in byte order of names, without descending.
    func list(_ directory: SourcePath = SourcePath(bytes: [])) throws -> [Finding] {
        let entries = try FileSystem.listDirectory(absolute(directory))
            .map(\.nameBytes).sorted { $0.lexicographicallyPrecedes($1) }
        return entries.map { find(directory.appending(SourcePath(bytes: $0))) }
    }

    /// Everything under `directory`, descending into subdirectories when recursive; examinations only,
    /// sorted by full relative path (so `sub-a.tif` < `sub/x.tif`, as `ls` and Python's `sorted()` say).
    func scan(_ directory: SourcePath = SourcePath(bytes: [])) throws -> [Intake.Examination] {
        var result: [Intake.Examination] = []
        for finding in try list(directory) {
            switch finding {
            case .examined(.absent): break  // not ours
            case .examined(let examination): result.append(examination)
            case .directory(let sub): result += (try? scan(sub)) ?? []
            }
        }
        return result.sorted { $0.path < $1.path }
    }
}
