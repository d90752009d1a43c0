import LinuxSystem
import Logging
import TiffShardCore

/// What happens to source files after their shard is durable (move / delete / keep), and to rejected files.
struct Disposer {
    let policy: PublicationPolicy
    let logger: Logger

    /// Disposes of published sources. A source that changed since it was read (size or mtime) is left
    /// alone and returned: its new content has not been ingested yet.
    func dispose(_ sources: [SourceFile]) -> [SourceFile] {
        guard let mode = policy.onSuccess, mode != .keep else { return [] }
        var changed: [SourceFile] = []
        var touchedDirectories: Set<FilePath> = []
        for source in sources {
            guard unchanged(source) else {
                if (try? FileSystem.statusIfExists(path(source), followSymlinks: false)) != nil { changed.append(source) }
                continue
            }
            do {
                switch mode {
                case .delete:
                    try FileSystem.unlink(path(source))
                case .move:
                    let target = try moveAside(source, into: policy.processedDir)
                    touchedDirectories.insert(target.parent)
                case .keep:
                    break
                }
                touchedDirectories.insert(path(source).parent)
            } catch {
                logger.error("could not dispose of source", metadata: [LogKey.source: "\(source.relativePath)", LogKey.error: "\(error)"])
            }
        }
        for directory in touchedDirectories.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
            do { try FileSystem.syncDirectory(directory) } catch {
                logger.warning("fsync of directory failed", metadata: [LogKey.path: "\(directory)", LogKey.error: "\(error)"])
            }
        }
        return changed
    }

    /// Records a rejection (durably) and, in daemon mode, moves the file to the failed directory.
    ///
    /// `recorded` (daemon mode) holds the files of the ingest directory that already have a record: one
    /// found there again (a kill came between an earlier record and its move) is moved without a second
    /// record. A file is in the set from its record until it has left the ingest directory.
    func quarantine(_ source: SourceFile, _ rejection: Rejection, recorded: inout RecordedRejections?) {
        let identity = source.identity
        if recorded?.contains(identity) == true {
            logger.notice(
                "\(source.relativePath) was already recorded as rejected; not recording it twice",
                metadata: [LogKey.source: "\(source.relativePath)", LogKey.category: "\(rejection.category.rawValue)"])
        } else {
            let record = RejectionRecord(
                source: source.relativePath, rejection: rejection, timeNanoseconds: WallClock.nowNanoseconds(),
                bytes: source.size, modificationTimeNanoseconds: source.modificationTimeNanoseconds)
            do {
                let fd = try FileDescriptor.open(policy.rejectionLog, [.writeOnly, .create, .append], mode: 0o644)
                defer { fd.close() }
                try fd.writeAll(Array((record.encoded() + "\n").utf8))
                try fd.sync()
                recorded?.insert(identity)
            } catch {
                logger.error("could not record rejection", metadata: [LogKey.path: "\(policy.rejectionLog)", LogKey.error: "\(error)"])
            }
        }
        guard let failedDir = policy.failedDir else { return }
        guard (try? FileSystem.statusIfExists(path(source), followSymlinks: false)) != nil else {
            recorded?.remove(identity)
            return
        }
        do {
            let target = try moveAside(source, into: failedDir)
            recorded?.remove(identity)
            try FileSystem.syncDirectory(target.parent)
            try FileSystem.syncDirectory(path(source).parent)
        } catch {
            logger.error("could not move rejected file", metadata: [LogKey.source: "\(source.relativePath)", LogKey.error: "\(error)"])
        }
    }

    /// The files of `ingest` that already have a line in `log`, unchanged since (see `RecordedRejections`).
    static func recordedRejections(log: String, ingest: String) -> RecordedRejections {
        guard let bytes = try? FileSystem.readFile(log) else { return RecordedRejections() }
        let lines = bytes.split(separator: UInt8(ascii: "\n")).lazy.map { String(decoding: $0, as: UTF8.self) }
        return RecordedRejections(lines: lines) { relativePath in
            guard let status = try? FileSystem.statusIfExists(FilePath(bytes: relativePath.absolute(under: Array(ingest.utf8))), followSymlinks: false) else { return nil }
            return ObservedFile(size: status.size, modificationTimeNanoseconds: status.modificationTimeNanoseconds)
        }
    }

    /// `root/relativePath`: the source as the system calls see it.
    private func path(_ source: SourceFile) -> FilePath { FilePath(bytes: source.relativePath.absolute(under: policy.root.bytes)) }

    /// Whether the entry still holds what was read: for a followed symlink, that is its target.
    private func unchanged(_ source: SourceFile) -> Bool {
        guard var now = try? FileSystem.statusIfExists(path(source), followSymlinks: false) else { return false }
        if now.kind == .symlink {
            guard let target = try? FileSystem.statusIfExists(path(source), followSymlinks: true) else { return false }
            now = target
        }
        return now.size == source.size && now.modificationTimeNanoseconds == source.modificationTimeNanoseconds
    }

    /// Renames `source` to `directory/relativePath`, never overwriting: a name taken by an earlier file
    /// gets a numeric suffix (`a.tif` -> `a.1.tif`). Across filesystems, copies, fsyncs, then unlinks.
    private func moveAside(_ source: SourceFile, into directory: String) throws -> FilePath {
        let base = FilePath(bytes: source.relativePath.absolute(under: Array(directory.utf8)))
        try FileSystem.createDirectory(base.parent)
        var attempt = 0
        while true {
            let target = attempt == 0 ? base : Self.suffixed(base, attempt)
            do {
                try FileSystem.renameNoReplace(path(source), to: target)
                return target
            } catch let error as SystemCallError where error.errno == .exists {
                attempt += 1
            } catch let error as SystemCallError where error.errno == .crossDevice {
                try Self.copy(path(source), to: target)
                try FileSystem.unlink(path(source))
                return target
            }
        }
    }

    static func copy(_ from: FilePath, to: FilePath) throws {
        let bytes = try FileSystem.readFile(from)
        let fd = try FileDescriptor.open(to, [.writeOnly, .create, .exclusive], mode: 0o644)
        defer { fd.close() }
        try fd.writeAll(bytes)
        try fd.sync()
    }

    /// `dir/a.tif` -> `dir/a.N.tif`, shortening the stem so the name stays within 255 bytes (NAME_MAX);
    /// a multi-byte UTF-8 character is removed whole, never split.
    static func suffixed(_ path: FilePath, _ n: Int) -> FilePath {
        let bytes = path.bytes
        let nameStart = bytes.lastIndex(of: 0x2F).map { $0 + 1 } ?? 0
        let name = bytes[nameStart...]
        let dot = name.lastIndex(of: 0x2E).flatMap { $0 == nameStart ? nil : $0 } ?? bytes.endIndex
        var stem = Array(bytes[nameStart..<dot])
        let tail = Array(".\(n)".utf8) + Array(bytes[dot...])
        while !stem.isEmpty && stem.count + tail.count > 255 {
            var removed: UInt8
            repeat { removed = stem.removeLast() } while removed & 0xC0 == 0x80 && !stem.isEmpty
        }
        return FilePath(bytes: Array(bytes[..<nameStart]) + stem + tail)
    }
}
