import LinuxSystem
import Logging
import TiffShardCore

/// Publishes one shard atomically and durably: manifest and `.npy` written to hidden temp names,
/// fsynced, renamed (manifest first, the `.npy` last: its presence is the commit point), directory fsynced.
struct ShardWriter {
    let logger: Logger

    /// What went wrong while publishing, with the file and the errno.
    struct Failure: Error, CustomStringConvertible {
        var file: String
        var underlying: Error
        var description: String { "writing \(file): \(underlying)" }
    }

    func write(_ publication: ShardPublication, ring: SharedRing, policy: PublicationPolicy) throws {
        let started = MonotonicClock.now()
        let naming = policy.naming
        let arrayName = naming.arrayName(publication.sequence)
        let manifestName = naming.manifestName(publication.sequence)
        let arrayPath = policy.output + "/" + arrayName
        let manifestPath = policy.output + "/" + manifestName
        let arrayTemp = policy.output + "/" + ShardNaming.temporaryName(arrayName)
        let manifestTemp = policy.output + "/" + ShardNaming.temporaryName(manifestName)
        var committed = false
        defer {
            if !committed {
                _ = try? FileSystem.unlinkIfExists(arrayTemp)
                _ = try? FileSystem.unlinkIfExists(manifestTemp)
            }
        }

        // The rows are in the ring's memory, sized by the ring's format: a shard of another format would be
        // written with the wrong bytes. The engine publishes every shard before it changes format.
        precondition(
            ring.settings.output == publication.output && ring.settings.width == publication.width
                && ring.settings.height == publication.height,
            "shard \(publication.sequence) is not in the format of the ring it is written from")
        var manifest: [UInt8] = []
        for (index, row) in publication.rows.enumerated() {
            let record = ManifestRecord(
                row: index, source: row.source.identity, info: row.info, page: row.page, output: publication.output)
            manifest += Array(record.encoded().utf8)
            manifest.append(0x0a)
        }
        try attempt(manifestName) { try Self.writeFile(manifestTemp, prefix: manifest) }

        let header = NPYHeader(
            rows: publication.rows.count, height: publication.height, width: publication.width, output: publication.output
        ).encoded()
        // Rows are in increasing physical order with gaps where images were rejected: one iovec per run.
        var runs: [UnsafeRawBufferPointer] = []
        var runStart = -1
        var runLength = 0
        for row in publication.rows {
            if runStart >= 0 && row.physicalRow == runStart + runLength {
                runLength += 1
                continue
            }
            if runStart >= 0 { runs.append(span(ring, publication.slot, runStart, runLength)) }
            runStart = row.physicalRow
            runLength = 1
        }
        if runStart >= 0 { runs.append(span(ring, publication.slot, runStart, runLength)) }
        try attempt(arrayName) { try Self.writeFile(arrayTemp, prefix: header, then: runs) }

        try attempt(manifestName) { try FileSystem.renameNoReplace(manifestTemp, to: manifestPath) }
        do {
            try FileSystem.renameNoReplace(arrayTemp, to: arrayPath)
        } catch {
            _ = try? FileSystem.unlinkIfExists(manifestPath)
            throw Failure(file: arrayName, underlying: error)
        }
        committed = true
        // The renames are durable only once the directory entry is on disk.
        try attempt(policy.output) { try FileSystem.syncDirectory(policy.output) }
        let bytes = header.count + publication.rows.count * ring.settings.imageBytes
        let milliseconds = Format.fixed(Format.seconds(MonotonicClock.now() - started) * 1000, 1)
        logger.info("published \(arrayName) (\(publication.rows.count) rows, \(bytes) bytes, \(milliseconds) ms)", metadata: [
            LogKey.shard: "\(arrayName)", LogKey.rows: "\(publication.rows.count)", LogKey.bytes: "\(bytes)",
            LogKey.milliseconds: "\(milliseconds)",
        ])
    }

    /// The bytes of `count` consecutive rows from `start`: rows are `ring.settings.imageBytes` each (width x
    /// height x channels x sample size), back to back.
    private func span(_ ring: SharedRing, _ slot: Int, _ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
        let first = ring.row(start, slot: slot)
        return UnsafeRawBufferPointer(start: first.baseAddress, count: first.count * count)
    }

    private func attempt(_ file: String, _ body: () throws -> Void) throws {
        do { try body() } catch { throw Failure(file: file, underlying: error) }
    }

    /// Creates `path` exclusively, writes `prefix` then `buffers` (one gathered write), fsyncs and closes it.
    static func writeFile(_ path: String, prefix: [UInt8], then buffers: [UnsafeRawBufferPointer] = []) throws {
        _ = try FileSystem.unlinkIfExists(path)
        let fd = try FileDescriptor.open(path, [.writeOnly, .create, .exclusive], mode: 0o644)
        defer { fd.close() }
        try prefix.withUnsafeBytes { head in
            try fd.writeAll([head] + buffers.filter { $0.count > 0 })
        }
        try fd.sync()
    }
}
