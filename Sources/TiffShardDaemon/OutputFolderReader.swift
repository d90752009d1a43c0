import LinuxSystem
import TiffShardCore

/// Reads what `OutputFolder` lists: the directory's names, each published shard's `.npy` header and manifest,
/// completion markers. `tiffshard index` and a partition's completion marker count rows through it.
public struct OutputFolderReader {
    /// The output directory.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The folder as its names describe it.
    public func folder() throws -> OutputFolder {
        OutputFolder(names: try FileSystem.listDirectory(directory).map(\.name))
    }

    /// The header of a `.npy` (nil when it does not parse). Reads the first 64 KiB at most: a v1.0 header is
    /// shorter than that by definition.
    public func header(_ name: String) throws -> NPYHeader? { try parsedHeader(name)?.header }

    /// The header of a `.npy` and where its data starts (nil when it does not parse).
    public func parsedHeader(_ name: String) throws -> (header: NPYHeader, dataOffset: Int)? {
        let fd = try FileDescriptor.open(directory + "/" + name, .readOnly)
        defer { fd.close() }
        var bytes = [UInt8](repeating: 0, count: 10 + Int(UInt16.max))
        var filled = 0
        while filled < bytes.count {
            let n = try bytes.withUnsafeMutableBytes { buffer in
                try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            if n == 0 { break }
            filled += n
            // Enough once the declared header length is in.
            if filled >= 10, filled >= 10 + (Int(bytes[8]) | Int(bytes[9]) << 8) { break }
        }
        return NPYHeader.parse(Array(bytes[0..<filled]))
    }

    /// What `index` needs of a published shard: its header, and how many manifest lines parse as records.
    public func facts(_ shard: OutputFolder.Shard) throws -> DatasetIndex.ShardFacts {
        let header = try header(shard.arrayName)
        var rows = 0
        var bad = 0
        let text = try FileSystem.readFile(directory + "/" + shard.manifestName)
        for line in text.split(separator: UInt8(ascii: "\n")) {
            if ManifestRecord.parse(String(decoding: line, as: UTF8.self)) != nil { rows += 1 } else { bad += 1 }
        }
        return DatasetIndex.ShardFacts(header: header, manifestRows: rows, badManifestLines: bad)
    }

    /// The completion marker `name`: nil when it does not parse.
    public func marker(_ name: String) throws -> CompletionMarker? {
        CompletionMarker.parse(String(decoding: try FileSystem.readFile(directory + "/" + name), as: UTF8.self))
    }

    /// Rows and shards published by `writer` (from the `.npy` headers).
    func published(by writer: ShardNaming) throws -> (images: Int, shards: Int) {
        var images = 0
        var shards = 0
        for shard in try folder().published where shard.writer == writer {
            images += try header(shard.arrayName)?.rows ?? 0
            shards += 1
        }
        return (images, shards)
    }
}
