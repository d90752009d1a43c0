/// One configuration key: its names, its documentation, and how its text maps to a `Configuration` field.
public struct ConfigurationKey: Sendable {
    /// The name in the YAML file and on the command line without `--`: `shard-size`.
    public let name: String
    /// The default as text (`1024`; `CPU count` for workers).
    public let defaultText: String
    /// What the key accepts, phrased to follow "expected": `an integer from 1 to 65535`.
    public let allowed: String
    /// One line saying what the key does.
    public let summary: String

    /// Parses `text` into the field; false if the text is not allowed.
    let assign: @Sendable (inout Configuration, String) -> Bool
    /// Copies the field from `source` (used to restore a default).
    let copy: @Sendable (inout Configuration, Configuration) -> Void
    /// The field's value as text, in a form `assign` accepts.
    let render: @Sendable (Configuration) -> String

    /// The environment variable overriding the key: `TIFFSHARD_SHARD_SIZE`.
    public var environmentName: String {
        "TIFFSHARD_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// The flag setting the key: `--shard-size`.
    public var flagName: String { "--" + name }

    /// The key's value in `configuration`, as text that the key accepts back.
    public func text(in configuration: Configuration) -> String { render(configuration) }

    /// A key bound to one stored property; `defaultText` is rendered from the defaults unless given.
    init<Value: Sendable>(
        _ name: String, _ field: WritableKeyPath<Configuration, Value> & Sendable, allowed: String, summary: String,
        defaultText: String? = nil, parse: @escaping @Sendable (String) -> Value?,
        render: @escaping @Sendable (Value) -> String
    ) {
        self.name = name
        self.allowed = allowed
        self.summary = summary
        self.defaultText = defaultText ?? render(Configuration(cpuCount: 1)[keyPath: field])
        self.assign = { configuration, text in
            guard let value = parse(text) else { return false }
            configuration[keyPath: field] = value
            return true
        }
        self.copy = { configuration, source in configuration[keyPath: field] = source[keyPath: field] }
        self.render = { render($0[keyPath: field]) }
    }
}

extension Configuration {
    /// The key named `name` (`shard-size`), if there is one.
    public static func key(named name: String) -> ConfigurationKey? {
        keys.first { $0.name == name }
    }

    /// The key whose environment variable is `variable` (`TIFFSHARD_SHARD_SIZE`), if there is one.
    public static func key(environmentName variable: String) -> ConfigurationKey? {
        keys.first { $0.environmentName == variable }
    }

    /// The known key closest to a misspelt `name`, if one is close enough to be a likely typo.
    ///
    /// Case, underscores and a `TIFFSHARD_` prefix are ignored first (`shard_size`, `SHARD-SIZE` and
    /// `TIFFSHARD_WIDHT` are found); then the nearest name within an edit distance of 2, or a third of
    /// its length for long names, wins.
    public static func suggestion(for name: String) -> String? {
        var folded = name.lowercased()
        if folded.hasPrefix("tiffshard_") { folded.removeFirst("tiffshard_".count) }
        folded = String(folded.map { $0 == "_" ? "-" : $0 })
        var best: (name: String, distance: Int)?
        for key in keys {
            let distance = editDistance(Array(folded), Array(key.name))
            if distance <= max(2, key.name.count / 3), distance < (best?.distance ?? Int.max) {
                best = (key.name, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance between two character arrays.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
