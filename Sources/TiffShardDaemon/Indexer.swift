import LinuxSystem
import TiffShardCore

/// `tiffshard index OUT`: writes `OUT/index.json` (atomically, durably) from the folder's shards, manifests and
/// completion markers, in global order; refuses, listing what is missing, when the dataset is not complete.
public struct Indexer {
    public let output: String
    public let allowIncomplete: Bool

    public init(output: String, allowIncomplete: Bool) {
        self.output = output
        self.allowIncomplete = allowIncomplete
    }

    /// Indexes the folder; returns the exit code (0 written, 65 incomplete and not written, 66 unreadable,
    /// 74 cannot write).
    public func run() -> Int32 {
        let reader = OutputFolderReader(directory: output)
        let index: DatasetIndex
        do {
            let folder = try reader.folder()
            var facts: [String: DatasetIndex.ShardFacts] = [:]
            for shard in folder.published { facts[shard.arrayName] = try reader.facts(shard) }
            var markers: [ShardNaming: CompletionMarker?] = [:]
            for (writer, name) in folder.markers { markers[writer] = .some(try reader.marker(name)) }
            index = DatasetIndex(folder: folder, facts: facts, markers: markers)
        } catch {
            StandardError.write("tiffshard index: cannot read \(output): \(error)\n")
            return ExitCodes.noInput
        }
        for problem in index.problems { StandardError.write("tiffshard index: \(problem)\n") }
        if !index.isComplete && !allowIncomplete {
            StandardError.write(
                "tiffshard index: \(output) is not complete (\(index.problems.count) problems); nothing written "
                    + "(--allow-incomplete indexes what is there)\n")
            return ExitCodes.dataError
        }
        let path = output + "/" + OutputFolder.indexName
        do {
            try FileSystem.writeFileAtomically(path, Array(index.encoded(createdNanoseconds: WallClock.nowNanoseconds()).utf8))
        } catch {
            StandardError.write("tiffshard index: cannot write \(path): \(error)\n")
            return ExitCodes.ioError
        }
        var what = "\(index.images) images in \(index.entries.count) shards"
        if let set = index.partitionSet { what += ", \(index.donePartitions.count) of \(set.count) partitions done" }
        StandardError.write("indexed \(what) into \(path)\(index.isComplete ? "" : " (incomplete)")\n")
        return ExitCodes.success
    }
}
