import LinuxSystem
import Logging
import TiffShardCore

/// inotify on the ingest directory (and its subdirectories when recursive): turns kernel events into
/// intake events, and does nothing else (what an event means is the intake's business).
///
/// `IN_CLOSE_WRITE` (closed after writing) and `IN_MOVED_TO` (renamed in) make a path complete;
/// `IN_MODIFY` says a writer is at work. Entries that are complete when created and never written
/// (symlinks, FIFOs, sockets, and directories when not recursive) are complete on `IN_CREATE`.
/// `IN_Q_OVERFLOW` means events were lost: the intake asks for a rescan. The root watch going away
/// (`IN_DELETE_SELF`, `IN_MOVE_SELF`, `IN_UNMOUNT`, `IN_IGNORED`) is fatal.
final class IngestWatcher {
    /// What a batch of inotify events amounted to.
    struct Batch {
        /// Intake events, in the order the kernel reported them.
        var events: [Intake.Event] = []
        /// Why the watch cannot go on (the root was deleted, moved or unmounted).
        var rootGone: String?
    }

    let inotify: Inotify
    var admitter: Admitter
    private var directories: [Int32: SourcePath] = [:]
    private var rootWatch: Int32 = -1
    private let logger: Logger

    static let fileMask: InotifyMask = [.closeWrite, .movedTo, .create, .modify, .onlyDirectory]
    static let rootMask: InotifyMask = [.deleteSelf, .moveSelf]

    /// Installs the watch on the root (subdirectories are watched as scans find them).
    init(admitter: Admitter, logger: Logger) throws {
        self.admitter = admitter
        self.logger = logger
        inotify = try Inotify()
        rootWatch = try watch(SourcePath(bytes: []))
    }

    @discardableResult
    private func watch(_ relative: SourcePath) throws -> Int32 {
        if let known = directories.first(where: { $0.value == relative }) { return known.key }
        let wd = try inotify.addWatch(admitter.absolute(relative), mask: Self.fileMask.union(Self.rootMask))
        directories[wd] = relative
        return wd
    }

    /// Every examination under the ingest directory, sorted by path. When recursive, each subdirectory
    /// is watched before it is listed, so a file created in it is seen by the watch, the listing, or both.
    func scanAll() throws -> [Intake.Examination] {
        guard admitter.recursive else { return try admitter.scan() }
        return try watchAndScan(SourcePath(bytes: []), isRoot: true).sorted { $0.path < $1.path }
    }

    /// Watches `relative`, then lists it, descending the same way into its subdirectories.
    private func watchAndScan(_ relative: SourcePath, isRoot: Bool = false) throws -> [Intake.Examination] {
        if !isRoot {
            do { try watch(relative) } catch {
                logger.error("cannot watch subdirectory", metadata: [LogKey.path: "\(relative)", LogKey.error: "\(error)"])
            }
        }
        let findings: [Admitter.Finding]
        do { findings = try admitter.list(relative) } catch {
            if isRoot { throw error }
            return []
        }
        var result: [Intake.Examination] = []
        for finding in findings {
            switch finding {
            case .examined(.absent): break  // not ours
            case .examined(let examination): result.append(examination)
            case .directory(let sub): result += try watchAndScan(sub)
            }
        }
        return result
    }

    /// Reads pending events and turns them into intake events.
    func read() throws -> Batch {
        var batch = Batch()
        while true {
            let events = try inotify.readEvents()
            if events.isEmpty { break }
            for event in events { handle(event, &batch) }
        }
        batch.events = Intake.superseded(batch.events)
        return batch
    }

    private func handle(_ event: InotifyEvent, _ batch: inout Batch) {
        if event.mask.contains(.queueOverflow) {
            batch.events.append(.overflow)
            return
        }
        guard let directory = directories[event.watch] else { return }
        if event.watch == rootWatch, event.mask.contains(.deleteSelf) || event.mask.contains(.moveSelf)
            || event.mask.contains(.unmount) || event.mask.contains(.ignored)
        {
            batch.rootGone = "ingest directory \(admitter.root) was deleted, moved or unmounted"
            return
        }
        if event.mask.contains(.ignored) {
            directories[event.watch] = nil
            return
        }
        guard !event.nameBytes.isEmpty else { return }
        let relative = directory.appending(SourcePath(bytes: event.nameBytes))
        if event.mask.contains(.isDirectory) {
            guard event.mask.contains(.create) || event.mask.contains(.movedTo) else { return }
            guard admitter.recursive, !relative.isHidden else {
                // Not descended into: a directory with a TIFF name is rejected, as a scan would.
                batch.events.append(.observed(relative, .complete))
                return
            }
            // Watch first, then list: files created in between are seen by one or the other (or both;
            // the intake knows what it holds). What the listing finds settles like any scanned file.
            let found = (try? watchAndScan(relative)) ?? []
            batch.events.append(.scanned(found, cause: .subdirectory))
            return
        }
        if event.mask.contains(.modify) {
            batch.events.append(.observed(relative, .modified))
            return
        }
        if event.mask.contains(.create) {
            // A regular file is still being written (its IN_CLOSE_WRITE follows); anything else is complete.
            let status = try? FileSystem.statusIfExists(admitter.absolute(relative), followSymlinks: false)
            guard let status, status.kind != .regular else { return }
        }
        batch.events.append(.observed(relative, .complete))
    }
}
