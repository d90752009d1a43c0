extension Configuration {
    /// Checks what no single key can: the shard ring fits in `maxRingBytes`, `pad-value` is representable in
    /// `dtype`, and the ingest directory is
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
            let rowBytes = imageBytes * UInt64(ringSize)
            let most = Self.maxRingBytes / rowBytes
            let limit =
                "the shard ring (ring-size x shard-size x width x height x bytes per pixel) fits in 16 GiB"
            let images = "\(width)x\(height) \(dtype.rawValue) \(color.rawValue) images (\(outputFormat.pixelBytes) "
                + "byte\(outputFormat.pixelBytes == 1 ? "" : "s") per pixel)"
            let allowed =
                most >= 1
                ? "at most \(most) for \(images) and ring-size \(ringSize), so that \(limit)"
                : "a smaller width, height, dtype, color or ring-size: one row of \(images) with ring-size "
                    + "\(ringSize) already exceeds the 16 GiB the shard ring may take"
            throw ConfigurationError(
                kind: .invalidValue, key: "shard-size", value: String(shardSize), allowed: allowed,
                origin: origin("shard-size")
            )
        }
        if let rule = Self.padValueProblem(for: dtype, accepts: padValue) {
            throw ConfigurationError(
                kind: .invalidValue, key: "pad-value", value: ConfigurationValue.render(padValue),
                allowed: "\(rule) for dtype \(dtype.rawValue) (from \(origin("dtype")))", origin: origin("pad-value")
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

extension Configuration {
    /// What `pad-value` may be, for the `allowed` text of the key.
    static let padValueAllowed =
        "an integer from 0 to 255 with dtype uint8, from 0 to 65535 with uint16, any finite number with float32"

    /// Why `value` cannot be a pad value of `dtype` (what would be allowed), or nil when it can.
    static func padValueProblem(for dtype: OutputFormat.SampleType, accepts value: Double) -> String? {
        switch dtype {
        case .uint8:
            value == value.rounded() && (0...255).contains(value) ? nil : "an integer from 0 to 255"
        case .uint16:
            value == value.rounded() && (0...65535).contains(value) ? nil : "an integer from 0 to 65535"
        case .float32:
            Float(value).isFinite ? nil : "a finite number within float32's range (about ±3.4e38)"
        }
    }
}
