import LinuxSystem
import TiffShardCore

/// `tiffshard inspect OUT`: reads every published shard's `.npy` header and size and its manifest, and prints
/// `FolderInspection`'s verdict: a summary, then the problems and notes (or one JSON object with `--json`).
public struct Inspector {
    public let output: String
    public let json: Bool

    public init(output: String, json: Bool) {
        self.output = output
        self.json = json
    }

    /// Runs the inspection; returns the exit status: 0 consistent, 1 problems found, 66 OUT unreadable.
    public func run() -> Int32 {
        let reader = OutputFolderReader(directory: output)
        let folder: OutputFolder
        do { folder = try reader.folder() } catch {
            StandardError.write("tiffshard inspect: cannot read \(output): \(error)\n")
            return ExitCodes.noInput
        }
        var facts: [FolderInspection.ShardFacts] = []
        for shard in folder.shards where shard.hasArray {
            let path = output + "/" + shard.arrayName
            let size = (try? FileSystem.status(path))?.size ?? 0
            let header = (try? reader.parsedHeader(shard.arrayName)) ?? nil
            var manifest: [ManifestRecord?]?
            if shard.hasManifest, let text = try? FileSystem.readFile(output + "/" + shard.manifestName) {
                manifest = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    .dropLast(text.last == UInt8(ascii: "\n") ? 1 : 0)
                    .map { ManifestRecord.parse(String(decoding: $0, as: UTF8.self)) }
            }
            facts.append(FolderInspection.ShardFacts(
                arrayName: shard.arrayName, manifestName: shard.manifestName, header: header, fileSize: size,
                manifest: manifest))
        }
        let inspection = FolderInspection(folder: folder, facts: facts)
        StandardOutput.write(json ? inspection.json + "\n" : text(inspection))
        return inspection.isConsistent ? 0 : 1
    }

    func text(_ inspection: FolderInspection) -> String {
        var lines = [
            "\(output): \(inspection.images) images in \(inspection.shards.count) shards, \(inspection.bytes) bytes",
            "  rows: \(inspection.geometries.joined(separator: ", ")) of \(inspection.dtypes.joined(separator: ", "))",
        ]
        let writers = inspection.writers.map { $0.isEmpty ? "(no prefix)" : $0 }
        if !writers.isEmpty { lines.append("  writers: \(writers.joined(separator: ", "))") }
        lines += inspection.notes.map { "  note: \($0)" }
        lines += inspection.problems.map { "  PROBLEM: \($0)" }
        lines.append(inspection.isConsistent ? "consistent" : "\(inspection.problems.count) problems")
        return lines.joined(separator: "\n") + "\n"
    }
}
