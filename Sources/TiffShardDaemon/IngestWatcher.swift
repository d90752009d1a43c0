import LinuxSystem
import Logging
import TiffShardCore

/// inotify on the ingest directory (and its subdirectories when recursive).
///
/// A file counts once it is complete: `IN_CLOSE_WRITE` (closed after writing) or `IN_MOVED_TO` (renamed
/// in), never on create. Entries that are complete when created and never written (symlinks, FIFOs,
/// sockets, and directories when not recursive) are examined on `IN_CREATE`, so they get their verdict
/// at once rather than at the next scan. `IN_Q_OVERFLOW` means events were lost: the caller rescans.
/// The root watch going away (`IN_DELETE_SELF`, `IN_MOVE_SELF`, `IN_UNMOUNT`, `IN_IGNORED`) is fatal.
final class IngestWatcher {
    /// What a batch of inotify events amounted to.
    struct Observation {
        var verdicts: [Admitter.Verdict] = []
        var overflowed = false
        var rootGone: String?
    }

    let inotify: Inotify
    var admitter: Admitter
    private var directories: [Int32: String] = [:]
    private var rootWatch: Int32 = -1
    private let logger: Logger

    static let fileMask: InotifyMask = [.closeWrite, .movedTo, .create, .onlyDirectory]
    static let rootMask: InotifyMask = [.deleteSelf, .moveSelf]

    /// Installs the watch on the root (and, when recursive, on every subdirectory found).
    init(admitter: Admitter, logger: Logger) throws {
        self.admitter = admitter
        self.logger = logger
        inotify = try Inotify()
        rootWatch = try watch("")
    }

    @discardableResult
    private func watch(_ relative: String) throws -> Int32 {
        if let known = directories.first(where: { $0.value == relative }) { return known.key }
        let mask = Self.fileMask.union(Self.rootMask)
        let path = relative.isEmpty ? admitter.root : admitter.root + "/" + relative
        let wd = try inotify.addWatch(path, mask: mask)
        directories[wd] = relative
        return wd
    }

    /// Every verdict under the ingest directory; when recursive, each subdirectory is watched before it
    /// is listed, so a file created in it is seen by the watch, the listing, or both.
    func scanAll() throws -> [Admitter.Verdict] {
        guard admitter.recursive else { return try admitter.scan() }
        var verdicts: [Admitter.Verdict] = []
        for verdict in try admitter.scan(descend: false) {
            verdicts.append(verdict)
            if case .directory(let sub) = verdict { verdicts += watchAndScan(sub) }
        }
        return verdicts
    }

    /// Watches `relative`, then lists it, descending the same way into its subdirectories.
    private func watchAndScan(_ relative: String) -> [Admitter.Verdict] {
        do { try watch(relative) } catch {
            logger.error("cannot watch subdirectory", metadata: [LogKey.path: "\(relative)", LogKey.error: "\(error)"])
        }
        var verdicts: [Admitter.Verdict] = []
        for verdict in (try? admitter.scan(relative, descend: false)) ?? [] {
            verdicts.append(verdict)
            if case .directory(let sub) = verdict { verdicts += watchAndScan(sub) }
        }
        return verdicts
    }

    /// Reads pending events and turns them into verdicts.
    func read() throws -> Observation {
        var observation = Observation()
        while true {
            let events = try inotify.readEvents()
            if events.isEmpty { break }
            for event in events { handle(event, &observation) }
        }
        return observation
    }

    private func handle(_ event: InotifyEvent, _ observation: inout Observation) {
        if event.mask.contains(.queueOverflow) {
            observation.overflowed = true
            return
        }
        guard let directory = directories[event.watch] else { return }
        if event.watch == rootWatch, event.mask.contains(.deleteSelf) || event.mask.contains(.moveSelf)
            || event.mask.contains(.unmount) || event.mask.contains(.ignored)
        {
            observation.rootGone = "ingest directory \(admitter.root) was deleted, moved or unmounted"
            return
        }
        if event.mask.contains(.ignored) {
            directories[event.watch] = nil
            return
        }
        guard !event.name.isEmpty else { return }
        let relative = directory.isEmpty ? event.name : directory + "/" + event.name
        if event.mask.contains(.isDirectory) {
            guard event.mask.contains(.create) || event.mask.contains(.movedTo) else { return }
            guard admitter.recursive else {
                // Not descended into: a directory with a TIFF name is rejected, as a scan would.
                observation.verdicts.append(admitter.examine(relative, nameIsValidUTF8: event.nameIsValidUTF8))
                return
            }
            // Watch first, then scan: files created in between are seen by one or the other (or both;
            // the engine ignores a path it already knows).
            observation.verdicts.append(.directory(relative))
            observation.verdicts += watchAndScan(relative)
            return
        }
        if event.mask.contains(.create) {
            // A regular file is still being written (its IN_CLOSE_WRITE follows); anything else is complete.
            let status = try? FileSystem.statusIfExists(admitter.root + "/" + relative, followSymlinks: false)
            guard let status, status.kind != .regular else { return }
        }
        observation.verdicts.append(admitter.examine(relative, nameIsValidUTF8: event.nameIsValidUTF8))
    }
}
