extension ConfigurationLoader {
    /// A human explanation for `tiffshard check-config`: a table of every key with its effective value and
    /// where it came from (`default`, `FILE:LINE`, `environment VAR`, `--flag`), then the memory the
    /// settings imply and any warnings.
    ///
    /// ```
    /// key                  value      from
    /// ingest               /srv/in    /etc/tiffshard/tiffshard.yaml:3
    /// width                64         --width
    /// ...
    /// shard: 1024 images of 64x64 uint8 gray = 4 MiB per .npy file
    /// ring: 3 shards = 12 MiB of shared memory; 2 workers, each limited to 2048 MiB more
    /// ```
    public static func explain(_ loaded: LoadedConfiguration) -> String {
        let configuration = loaded.configuration
        let rows = Configuration.keys.map { key in
            (key.name, displayed(key.text(in: configuration)), loaded.origins[key.name] ?? defaultOrigin)
        }
        let nameWidth = max(rows.map(\.0.count).max() ?? 0, 3) + 2
        let valueWidth = max(rows.map(\.1.count).max() ?? 0, 5) + 2
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(width - text.count, 1))
        }
        var lines = [padded("key", nameWidth) + padded("value", valueWidth) + "from"]
        for (name, value, origin) in rows {
            lines.append(padded(name, nameWidth) + padded(value, valueWidth) + origin)
        }
        let c = configuration
        lines.append(
            "shard: \(c.shardSize) images of \(c.width)x\(c.height) \(c.dtype.rawValue) \(c.color.rawValue) = "
                + "\(ConfigurationValue.bytes(c.shardBytes)) per .npy file"
        )
        lines.append(
            "ring: \(c.ringSize) shards = \(ConfigurationValue.bytes(c.ringBytes)) of shared memory; "
                + "\(c.workers) worker\(c.workers == 1 ? "" : "s"), each limited to \(c.workerMemoryLimit) MiB more"
        )
        lines += loaded.warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value as shown in the table: double-quoted (YAML style) when empty or when blanks or quotes
    /// would make it ambiguous.
    private static func displayed(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { " \t\"'#\n\\".contains($0) }
        guard !plain else { return value }
        var quoted = "\""
        for character in value {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
