extension Configuration {
    /// Checks what no single key can: the shard ring fits in `maxRingBytes`, and the ingest directory is
    /// not also the output, processed or failed directory (nor, when recursive, a parent of the processed
    /// or failed directory, whose files would be ingested again).
    ///
    /// Directories are compared lexically (`./in/` equals `in`); symbolic links and `..` are not resolved.
    /// The error blames the key whose value has to change and names the other key's value and origin.
    /// For `convert`, which reads no directory keys, only the ring is checked.
    public func validate(
        origins: [String: String] = [:], command: ConfigurationCommand = .run
    ) throws(ConfigurationError) {
        func origin(_ name: String) -> String { origins[name] ?? ConfigurationLoader.defaultOrigin }

        if ringBytes > Self.maxRingBytes {
            let rowBytes = UInt64(width) * UInt64(height) * UInt64(ringSize)
            let most = Self.maxRingBytes / rowBytes
            let limit = "the shard ring (ring-size x shard-size x width x height bytes) fits in 16 GiB"
            let allowed =
                most >= 1
                ? "at most \(most) for \(width)x\(height) images and ring-size \(ringSize), so that \(limit)"
                : "a smaller width, height or ring-size: one row of \(width)x\(height) images with ring-size "
                    + "\(ringSize) already exceeds the 16 GiB the shard ring may take"
            throw ConfigurationError(
                kind: .invalidValue, key: "shard-size", value: String(shardSize), allowed: allowed,
                origin: origin("shard-size")
            )
        }

        guard command == .run else { return }
        let ingestText = "'\(ingest)' (from \(origin("ingest")))"
        let others: [(name: String, path: String)] = [
            ("output", output), ("processed-dir", processedDir), ("failed-dir", failedDir),
        ]
        for other in others where ConfigurationValue.normalized(other.path) == ConfigurationValue.normalized(ingest) {
            throw ConfigurationError(
                kind: .invalidValue, key: other.name, value: other.path,
                allowed: "a directory other than the ingest directory \(ingestText)", origin: origin(other.name)
            )
        }
        guard recursive else { return }
        for other in others.dropFirst() where ConfigurationValue.isInside(other.path, ingest) {
            throw ConfigurationError(
                kind: .invalidValue, key: other.name, value: other.path,
                allowed: "a directory outside the ingest directory \(ingestText) when recursive is true "
                    + "(its files would be ingested again)",
                origin: origin(other.name)
            )
        }
    }
}
