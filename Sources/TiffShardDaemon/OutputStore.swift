import LinuxSystem
import Logging
import TiffShardCore

/// The output directory as found at start-up: the next sequence number, what was already published,
/// and the leftovers of an interrupted publication.
///
/// Recovery rules (the `.npy` rename is the commit point):
/// 1. hidden temp files (`.shard-N.npy.tmp`, `.shard-N.jsonl.tmp`) are deleted;
/// 2. a manifest without its `.npy` (crash between the two renames) is deleted: its sources were never
///    disposed of, so they are still in the ingest directory and are ingested again;
/// 3. sources listed in published manifests and still present with the same size and mtime (crash
///    between publication and disposition) are disposed of without being ingested again; with
///    `pages: all`, only those with every page published: one cut off between shards resumes at its
///    first missing page (see `ManifestLedger`).
struct OutputStore {
    let directory: String
    let naming: ShardNaming

    /// Cleans leftovers and returns the next sequence number.
    func recover(logger: Logger) throws -> Int {
        try FileSystem.createDirectory(directory)
        var arrays: Set<Int> = []
        var manifests: Set<Int> = []
        for entry in try FileSystem.listDirectory(directory) {
            if naming.isTemporary(entry.name) {
                logger.notice("removing leftover temporary file", metadata: [LogKey.path: "\(entry.name)"])
                _ = try FileSystem.unlinkIfExists(directory + "/" + entry.name)
            } else if let sequence = naming.sequence(of: entry.name) {
                if entry.name.hasSuffix(".npy") { arrays.insert(sequence) } else { manifests.insert(sequence) }
            }
        }
        for orphan in manifests.subtracting(arrays) {
            logger.notice("removing manifest of an unfinished publication", metadata: [LogKey.shard: "\(naming.manifestName(orphan))"])
            _ = try FileSystem.unlinkIfExists(directory + "/" + naming.manifestName(orphan))
        }
        if manifests.subtracting(arrays).isEmpty == false { try FileSystem.syncDirectory(directory) }
        return (arrays.max() ?? -1) + 1
    }

    /// What published manifests hold of `present`, page by page (so memory is bounded by the ingest
    /// directory, not by every image ever published).
    func ledger(among present: Set<SourceIdentity>) throws -> ManifestLedger {
        var ledger = ManifestLedger(present: present)
        for entry in try FileSystem.listDirectory(directory) where entry.name.hasSuffix(".jsonl") {
            guard naming.sequence(of: entry.name) != nil else { continue }
            let text = String(decoding: try FileSystem.readFile(directory + "/" + entry.name), as: UTF8.self)
            for line in text.split(separator: "\n") { ledger.add(line: String(line)) }
        }
        return ledger
    }

    /// Verifies the directory is writable by creating and removing a probe file.
    func checkWritable() throws {
        try FileSystem.createDirectory(directory)
        let probe = directory + "/.tiffshard-write-probe"
        let fd = try FileDescriptor.open(probe, [.writeOnly, .create, .truncate], mode: 0o600)
        fd.close()
        try FileSystem.unlink(probe)
    }
}
