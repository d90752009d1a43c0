import LinuxSystem
import Logging
import TiffShardCore

/// `convert --partition I/N`: one task's share of SRC, restartable from its own published shards, finished
/// with a completion marker.
///
/// - The share is `PartitionPlan`'s contiguous range of the sorted scan (every TIFF name found, converted or
///   rejected), so every task computes it alone and partition 0's rows, then 1's, … are a single-machine
///   `convert`'s rows.
/// - A rerun after any kill continues: the partition's published manifests are the ledger (as `keep` mode's
///   are the daemon's), its leftovers (hidden temporary files, a manifest without its `.npy`) are removed,
///   numbering continues after its highest published shard, and `ManifestLedger.plan` gives the engine what
///   it needs to make the rows an uninterrupted run would have made. A file rejected before the kill is tried
///   again (the row order with `pages: all` depends on it); its rejection is not recorded twice.
/// - Once every file of the share is in a shard or recorded as rejected, `part-IIII-of-NNNN.done.json` is
///   written (temporary file, fsync, rename, fsync of the directory); a rerun then does nothing and says so.
struct PartitionTask {
    /// OUT already holds this partition of another file list (SRC changed, or another job's output).
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    let partition: Partition
    let plan: PartitionPlan
    let naming: ShardNaming
    /// The share: the partition's entries of the scan, in order.
    let share: [Intake.Examination]
    let options: Converter.Options
    let logger: Logger
    /// Resume points for the engine (`ManifestLedger.ContinuationPlan.resume`).
    private(set) var resume: [SourceIdentity: PublishedPages] = [:]
    /// How many of them are published whole (they get no row: not counted as work to do).
    private(set) var resumedWhole = 0
    /// Rows earlier runs published.
    private(set) var earlierImages = 0

    init(partition: Partition, list: [Intake.Examination], options: Converter.Options, logger: Logger) {
        self.partition = partition
        plan = PartitionPlan(paths: list.map(\.path), partition: partition)
        naming = ShardNaming(partition: partition)
        share = Array(plan.select(list))
        self.options = options
        self.logger = logger
    }

    private var reader: OutputFolderReader { OutputFolderReader(directory: options.output) }
    private var markerName: String { naming.markerName! }

    /// The message for the user when the partition is complete already; nil when there is work to do.
    func completed() throws -> String? {
        guard try FileSystem.statusIfExists(options.output + "/" + markerName) != nil else { return nil }
        guard let marker = try reader.marker(markerName) else {
            throw Refusal(description: "\(options.output)/\(markerName) is not a completion marker; remove it to convert partition \(partition) again")
        }
        guard marker.listDigest == plan.digest, marker.listTotal == plan.total else {
            throw Refusal(description: """
                \(options.output)/\(markerName) records partition \(partition) of a list of \(marker.listTotal) files \
                (\(marker.listDigest)), but SRC now lists \(plan.total) (\(plan.digest)): SRC changed, or OUT holds \
                another job's output; use a new output folder
                """)
        }
        return "partition \(partition) is already complete (\(markerName): \(marker.images) images in "
            + "\(marker.shards) shards, \(marker.rejected.count) rejected, finished \(ISOTime.format(nanoseconds: marker.finishedNanoseconds))); nothing to do"
    }

    /// The entries to convert after what earlier runs of this partition published (all of `share` on a first run).
    mutating func continuation(of share: [Intake.Examination], store: OutputStore, pages: OutputFormat.Pages) throws
        -> [Intake.Examination]
    {
        let order = share.compactMap { if case .candidate(let file) = $0 { file.identity } else { nil } }
        try checkPublishedSourcesAreInTheShare()
        let ledger = try store.ledger(among: Set(order))
        let continuation = ledger.plan(order: order, pages: pages)
        earlierImages = try reader.published(by: naming).images
        resume = continuation.resume
        resumedWhole = resume.values.filter(\.isComplete).count
        if earlierImages > 0 {
            let cutOff = resume.values.filter { !$0.isComplete }.count
            // Said whatever the log level: a rerun should say what it found.
            StandardError.write(
                "partition \(partition): continuing after \(earlierImages) images published by an earlier run "
                    + "(\(continuation.skipped.count + resumedWhole) files done, \(cutOff) cut off between shards)\n")
        }
        return share.filter { entry in
            if case .candidate(let file) = entry { return !continuation.skipped.contains(file.identity) }
            return true
        }
    }

    /// Every source in this partition's published manifests is one of its share: otherwise SRC changed since an
    /// earlier run (the ranges moved), and continuing would duplicate rows of other partitions.
    private func checkPublishedSourcesAreInTheShare() throws {
        let paths = Set(share.map(\.path))
        for shard in try reader.folder().published where shard.writer == naming {
            let text = try FileSystem.readFile(options.output + "/" + shard.manifestName)
            for line in text.split(separator: UInt8(ascii: "\n")) {
                guard let record = ManifestRecord.parse(String(decoding: line, as: UTF8.self)) else { continue }
                guard paths.contains(record.source.relativePath) else {
                    throw Refusal(description: """
                        \(options.output)/\(shard.manifestName) holds \(record.source.relativePath), which is not in \
                        partition \(partition) of SRC as it is now (\(plan.total) files): SRC changed since an \
                        earlier run of this partition; convert into a new output folder
                        """)
                }
            }
        }
    }

    /// Writes the completion marker; returns the line for the user.
    func finish(runImages: Int, seconds: Double) throws -> String {
        let (images, shards) = try reader.published(by: naming)
        // Rejected: a record in the partition's log, and no complete set of rows (a file rejected before a kill
        // and converted by the rerun is not rejected).
        let identities = Set(share.compactMap { if case .candidate(let f) = $0 { f.identity } else { nil } })
        let complete = Set(try OutputStore(directory: options.output, naming: naming).ledger(among: identities)
            .complete(for: options.settings.output.pages))
        let paths = Set(share.map(\.path))
        var rejected: Set<SourcePath> = []
        if let log = try? FileSystem.readFile(options.output + "/" + naming.rejectionLogName!) {
            for line in log.split(separator: UInt8(ascii: "\n")) {
                guard let identity = RejectionRecord.identity(parsing: String(decoding: line, as: UTF8.self)),
                    paths.contains(identity.relativePath), !complete.contains(identity)
                else { continue }
                rejected.insert(identity.relativePath)
            }
        }
        let output = options.settings.output
        let marker = CompletionMarker(
            partition: partition, listTotal: plan.total, listDigest: plan.digest, files: share.count,
            firstSource: share.first?.path, lastSource: share.last?.path, images: images, shards: shards,
            rejected: rejected.sorted(), rejectedLog: naming.rejectionLogName!, runImages: runImages,
            resumed: earlierImages > 0, finishedNanoseconds: WallClock.nowNanoseconds(), seconds: seconds,
            dtype: output.dtype.rawValue, color: output.color.rawValue, pages: output.pages.rawValue,
            width: options.settings.width, height: options.settings.height)
        try FileSystem.writeFileAtomically(options.output + "/" + markerName, Array(marker.encoded().utf8))
        return "partition \(partition) complete: \(images) images in \(shards) shards, \(rejected.count) rejected (\(markerName))"
    }
}
