/// One configuration key: its names, its documentation, its default, the commands it applies to, and how
/// its text maps to a `Configuration` field.
///
/// This is the one declaration of a setting: flags, environment variables, the YAML file, defaults,
/// help text and `check-config` output are all derived from `Configuration.keys`.
public struct ConfigurationKey: Sendable {
    /// The name in the YAML file and on the command line without `--`: `shard-size`.
    public let name: String
    /// The default of `run` as text (`1024`; `the CPU count` for workers).
    public let defaultText: String
    /// What the key accepts, phrased to follow "expected": `an integer from 1 to 65535`.
    public let allowed: String
    /// One line saying what the key does.
    public let summary: String
    /// The commands that read this key (and so have its flag and its environment variable).
    public let commands: Set<ConfigurationCommand>
    /// The commands that refuse to run on the default: the key must be set by a flag, the environment or a file.
    public let requiredBy: Set<ConfigurationCommand>

    /// Parses `text` into the field; false if the text is not allowed.
    let assign: @Sendable (inout Configuration, String) -> Bool
    /// Copies the field from `source` (used to restore a default).
    let copy: @Sendable (inout Configuration, Configuration) -> Void
    /// The field's value as text, in a form `assign` accepts.
    let render: @Sendable (Configuration) -> String
    /// Sets the field to its default for a command on a machine with the given CPU count.
    let reset: @Sendable (inout Configuration, ConfigurationCommand, Int) -> Void
    /// `convert`'s default as text when it differs from `run`'s.
    private let convertDefaultText: String?

    /// The environment variable overriding the key: `TIFFSHARD_SHARD_SIZE`.
    public var environmentName: String {
        "TIFFSHARD_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// The flag setting the key: `--shard-size`.
    public var flagName: String { "--" + name }

    /// The key's value in `configuration`, as text that the key accepts back.
    public func text(in configuration: Configuration) -> String { render(configuration) }

    /// Whether `command` reads this key.
    public func applies(to command: ConfigurationCommand) -> Bool { commands.contains(command) }

    /// The default as text for `command` (`convert` logs only errors by default, `run` from info up).
    public func defaultText(for command: ConfigurationCommand) -> String {
        command == .convert ? convertDefaultText ?? defaultText : defaultText
    }

    /// The help line of the key's flag: summary, what is allowed, and the default for `command`.
    public func help(for command: ConfigurationCommand) -> String {
        let fallback = defaultText(for: command)
        let suffix =
            requiredBy.contains(command)
            ? " Required." : " Default: \(fallback.isEmpty ? "none" : fallback)."
        return "\(summary) Expected \(allowed).\(suffix)"
    }

    /// The help line of a switch that sets this boolean key to true (`convert --recursive`).
    public func switchHelp(for command: ConfigurationCommand) -> String {
        "\(summary) Default: \(defaultText(for: command)) (true when given)."
    }

    /// A key bound to one stored property.
    ///
    /// - Parameters:
    ///   - defaultValue: the default of every command, unless `perCPU` or `convertDefault` says otherwise.
    ///   - perCPU: the default computed from the CPU count (workers); `defaultText` then says it in words.
    ///   - convertDefault: `convert`'s default when it differs from `run`'s.
    ///   - commands: the commands that read the key.
    ///   - requiredBy: the commands for which the default is not good enough.
    init<Value: Sendable>(
        _ name: String, _ field: WritableKeyPath<Configuration, Value> & Sendable, allowed: String, summary: String,
        default defaultValue: Value, perCPU: (@Sendable (Int) -> Value)? = nil, convertDefault: Value? = nil,
        defaultText: String? = nil, commands: Set<ConfigurationCommand> = [.run],
        requiredBy: Set<ConfigurationCommand> = [], parse: @escaping @Sendable (String) -> Value?,
        render: @escaping @Sendable (Value) -> String
    ) {
        self.name = name
        self.allowed = allowed
        self.summary = summary
        self.commands = commands
        self.requiredBy = requiredBy
        self.defaultText = defaultText ?? render(defaultValue)
        self.convertDefaultText = convertDefault.map(render)
        self.assign = { configuration, text in
            guard let value = parse(text) else { return false }
            configuration[keyPath: field] = value
            return true
        }
        self.copy = { configuration, source in configuration[keyPath: field] = source[keyPath: field] }
        self.render = { render($0[keyPath: field]) }
        self.reset = { configuration, command, cpuCount in
            if command == .convert, let convertDefault {
                configuration[keyPath: field] = convertDefault
            } else if let perCPU {
                configuration[keyPath: field] = perCPU(cpuCount)
            } else {
                configuration[keyPath: field] = defaultValue
            }
        }
    }
}

extension Configuration {
    /// The keys `command` reads, in table order.
    public static func keys(for command: ConfigurationCommand) -> [ConfigurationKey] {
        keys.filter { $0.applies(to: command) }
    }

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
