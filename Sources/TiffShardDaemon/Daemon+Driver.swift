import LinuxSystem
import Logging
import Systemd
import TiffShardCore

/// What the daemon does with the supervisor's notices: systemd upkeep on ticks, signals, and routing
/// inotify batches, publications, quarantines and changed sources to the intake.
extension Daemon: Supervisor.Driver {
    func supervisor(_ supervisor: Supervisor, noticed notice: Supervisor.Notice) {
        switch notice {
        case .tick(let now):
            tick(now: now)
        case .signal(let signal):
            switch signal {
            case Signal.terminate, Signal.interrupt: stop(reason: "received \(Signal.name(signal))")
            case Signal.hangup: reload()
            default: break
            }
        case .readable:
            readInotify()
        case .published(let publication):
            // Publishing works again: the note set by the last failure is stale (idle, no event would clear it).
            if case .cannotPublish? = note { note = nil }
            // Only completed sources: one with pages still to come stays held by the engine (and in place).
            handle(.published(publication.completedSources))
        case .publicationFailed(let error):
            note = .cannotPublish(error)
            notifier.status(statusLine())
        case .quarantined(let file):
            handle(.quarantined(file))
        case .changed(let files):
            // Rewritten while (or after) we read the old content: the new content is a new source.
            handle(.changed(files))
        }
    }

    private func tick(now: Duration) {
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
        handle(.tick)
    }

    private func readInotify() {
        let batch: IngestWatcher.Batch
        do { batch = try watcher.read() } catch {
            fail("reading inotify events failed: \(error)")
            return
        }
        // Activity again: an older note (a refused reload) is stale unless publishing still fails.
        if supervisor.statistics.lastPublicationError == nil, case .reloadFailed? = note { note = nil }
        for event in batch.events { handle(event) }
        if let gone = batch.rootGone { fail(gone) }
    }

    /// SIGTERM: stop watching, finish in-flight images, publish the partial shard, stop the workers.
    func stop(reason: String, exitCode: Int32 = ExitCodes.success) {
        guard !stopping else { return }
        stopping = true
        logger.notice("stopping (\(reason)): finishing images in flight and publishing the partial shard")
        notifier.stopping(status: "stopping: \(statusLine())")
        supervisor.unregister(watcher.inotify.fileDescriptor)
        handle(.stopping)
        supervisor.stop(exitCode: exitCode, graceful: true)
    }

    /// A condition we cannot recover from here: stop cleanly, exit non-zero so systemd restarts us.
    func fail(_ message: String) {
        logger.critical("\(message)")
        note = .fatal(message)
        stop(reason: message, exitCode: ExitCodes.ioError)
    }

    /// SIGHUP: re-read and validate the configuration, apply it, READY again.
    func reload() {
        notifier.reloading()
        let new: Configuration
        do { new = try reloadConfiguration() } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            note = .reloadFailed("\(error)")
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
        watcher.admitter = admitter
        supervisor.reconfigure(applied.engineSettings, policy: policy)
        note = nil
        let format = applied.outputFormat.summary
        logger.notice("configuration reloaded: \(applied.width)x\(applied.height) \(format), shard size \(applied.shardSize), \(applied.workers) workers")
        notifier.ready(status: statusLine())
    }

    /// The STATUS= line: what an operator wants at a glance.
    func statusLine() -> String {
        guard let supervisor else { return "starting" }
        let stats = supervisor.statistics
        var line = "\(stopping ? "stopping" : "watching") \(ingestDisplay): \(stats.imagesPublished) images in "
            + "\(stats.shardsPublished) shards, \(Format.fixed(rate.perSecond, 0)) img/s, \(supervisor.backlog) queued, "
            + "\(stats.rejected) rejected"
        if supervisor.ringIsFull { line += ", ring full (backpressure)" }
        if let note = note ?? stats.lastPublicationError.map({ StatusNote.cannotPublish($0.description) }) { line += "; \(note)" }
        return line
    }
}
