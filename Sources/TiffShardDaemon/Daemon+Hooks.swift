import LinuxSystem
import Logging
import Systemd
import TiffShardCore

extension Daemon: Supervisor.Hooks {
    func supervisorTick(_ supervisor: Supervisor, now: Duration) {
        // The watchdog is fed from the reactor loop itself, so a stuck loop is killed and restarted.
        if let interval = watchdogInterval, now - lastWatchdog >= interval / 2 {
            notifier.watchdogPing()
            lastWatchdog = now
        }
        if now - lastStatus >= .seconds(1) {
            rate.record(count: supervisor.decodedCount, at: now)
            notifier.status(statusLine())
            lastStatus = now
        }
        admitSettled()
        // Paths seen while the engine held them whose row was rejected (not published): the event may have
        // been for a new file under that name, so look once more. Also keeps the set bounded.
        if !seenWhileKnown.isEmpty {
            let released = seenWhileKnown.filter { !supervisor.engine.isKnown($0) }
            if !released.isEmpty {
                seenWhileKnown.subtract(released)
                admit(released.sorted().map { admitter.examine(String($0.dropFirst(admitter.root.count + 1))) }, fromScan: true)
            }
        }
        // Network filesystems deliver no inotify events for remote writers: rescan periodically if asked.
        if let interval = configuration.rescanInterval, !stopping, now - lastRescan >= interval {
            lastRescan = now
            do { try admitScan() } catch { fail("periodic rescan of \(configuration.ingest) failed: \(error)") }
        }
    }

    func supervisor(_ supervisor: Supervisor, received signal: Int32) {
        switch signal {
        case Signal.terminate, Signal.interrupt:
            stop(reason: "received \(Signal.name(signal))")
        case Signal.hangup:
            reload()
        default:
            break
        }
    }

    func supervisor(_ supervisor: Supervisor, published publication: ShardPublication) {
        // Publishing works again: the note set by the last failure is stale (idle, no event would clear it).
        if statusNote?.hasPrefix(Self.cannotPublish) == true { statusNote = nil }
        if configuration.onSuccess.keepsSources {
            for row in publication.rows { published.insert(row.source.identity) }
        }
        // A file that appeared under a published row's name after the event window closed: unless it is
        // the very file just published (kept, or not disposed of), it is new and its event was swallowed.
        var again: [Admitter.Verdict] = []
        for row in publication.rows where seenWhileKnown.remove(row.source.path) != nil {
            let verdict = admitter.examine(row.source.relativePath)
            if case .candidate(let file) = verdict, file.identity == row.source.identity { continue }
            again.append(verdict)
        }
        if !again.isEmpty { admit(again, fromScan: false) }
    }

    func supervisor(_ supervisor: Supervisor, publicationFailed error: String) {
        statusNote = "\(Self.cannotPublish)\(error)"
        notifier.status(statusLine())
    }

    func supervisor(_ supervisor: Supervisor, sourcesChanged sources: [SourceFile]) {
        // Rewritten while we read the old content: the new content is a new source.
        logger.notice("\(sources.count) sources changed after they were read; ingesting their new content")
        admit(sources.map { admitter.examine($0.relativePath) }, fromScan: true)
    }

    func supervisorInotifyReadable(_ supervisor: Supervisor) {
        let observation: IngestWatcher.Observation
        do { observation = try watcher.read() } catch {
            fail("reading inotify events failed: \(error)")
            return
        }
        if supervisor.engine.statistics.lastPublicationError == nil { statusNote = nil }
        admit(observation.verdicts, fromScan: false)
        if observation.overflowed {
            rescans += 1
            logger.warning("inotify event queue overflowed; rescanning \(configuration.ingest) (rescan \(rescans))")
            do { try admitScan() } catch { fail("rescan after overflow failed: \(error)") }
        }
        if let gone = observation.rootGone { fail(gone) }
    }

    /// SIGTERM: stop watching, finish in-flight images, publish the partial shard, stop the workers.
    func stop(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.notice("stopping (\(reason)): finishing images in flight and publishing the partial shard")
        notifier.stopping(status: "stopping: \(statusLine())")
        try? supervisor.epoll.remove(watcher.inotify.fileDescriptor)
        supervisor.feed(.shutdownRequested)
    }

    /// A condition we cannot recover from here: stop cleanly, exit non-zero so systemd restarts us.
    func fail(_ message: String) {
        logger.critical("\(message)")
        supervisor.exitCode = ExitCodes.ioError
        statusNote = message
        stop(reason: message)
    }

    /// SIGHUP: re-read and validate the configuration, apply it, READY again.
    func reload() {
        notifier.reloading()
        let new: Configuration
        do { new = try reloadConfiguration() } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            statusNote = "reload failed: \(error); running with the previous configuration"
            notifier.ready(status: statusLine())
            return
        }
        var applied = new
        // Directories that identify this instance's data cannot move under a running daemon.
        for (key, old, wanted) in [("ingest", configuration.ingest, new.ingest), ("output", configuration.output, new.output),
                                   ("instance", configuration.instance, new.instance)] where old != wanted {
            logger.warning("reload: \(key) changes only on restart (running: \(old), configured: \(wanted))")
        }
        applied.ingest = configuration.ingest
        applied.output = configuration.output
        applied.instance = configuration.instance
        applied.recursive = configuration.recursive
        for directory in [applied.processedDir, applied.failedDir] { try? FileSystem.createDirectory(directory) }
        configuration = applied
        admitter = Admitter(root: applied.ingest, followSymlinks: applied.followSymlinks, recursive: applied.recursive)
        watcher.admitter = admitter
        supervisor.policy = policy
        supervisor.feed(.reconfigure(applied.engineSettings))
        statusNote = nil
        logger.notice("configuration reloaded: \(applied.width)x\(applied.height), shard size \(applied.shardSize), \(applied.workers) workers")
        notifier.ready(status: statusLine())
    }

    static let cannotPublish = "cannot publish, retrying: "

    /// The STATUS= line: what an operator wants at a glance.
    func statusLine() -> String {
        guard let supervisor else { return "starting" }
        let stats = supervisor.engine.statistics
        var line = "\(stopping ? "stopping" : "watching") \(ingestDisplay): \(stats.imagesPublished) images in "
            + "\(stats.shardsPublished) shards, \(Format.fixed(rate.perSecond, 0)) img/s, \(supervisor.engine.queuedCount + supervisor.engine.inFlightCount) queued, "
            + "\(stats.rejected) rejected"
        if supervisor.engine.ringIsFull { line += ", ring full (backpressure)" }
        if let note = statusNote ?? stats.lastPublicationError.map({ Self.cannotPublish + $0.description }) { line += "; " + note }
        return line
    }
}
