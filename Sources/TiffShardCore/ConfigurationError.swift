/// A configuration that cannot be used, with where the offending text came from.
///
/// `origin` is a file and line (`/etc/tiffshard/tiffshard.yaml:12`), an environment variable
/// (`environment TIFFSHARD_WIDTH`) or a flag (`--width`).
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Equatable, Sendable {
        /// `value` is not allowed for `key`; `allowed` says what is.
        case invalidValue
        /// `key` is not a configuration key; `suggestion` is the closest one, if any is close.
        case unknownKey(suggestion: String?)
        /// The file is not the YAML subset we read: `reason` says why, `value` is the offending line and
        /// `key` its key when one was read.
        case syntax(reason: String)
        /// `key` has no value but its default, and the command needs one given (`convert` needs `--width`);
        /// `origin` names the flag, `allowed` what it accepts.
        case missingValue
    }

    public var kind: Kind
    /// The key name as written (`shard-size`), or "" when a syntax error happens before a key is known.
    public var key: String
    /// The offending value as written (for syntax errors: the line).
    public var value: String
    /// What would be accepted.
    public var allowed: String
    /// Where the value came from.
    public var origin: String

    public init(kind: Kind, key: String, value: String, allowed: String, origin: String) {
        self.kind = kind
        self.key = key
        self.value = value
        self.allowed = allowed
        self.origin = origin
    }

    /// `invalid value 'abc' for width (from --width): expected an integer from 1 to 65535`.
    static func invalid(_ key: ConfigurationKey, _ value: String, origin: String) -> ConfigurationError {
        ConfigurationError(kind: .invalidValue, key: key.name, value: value, allowed: key.allowed, origin: origin)
    }

    /// An unknown key, with the closest known name as a suggestion.
    static func unknown(_ name: String, value: String, origin: String) -> ConfigurationError {
        ConfigurationError(
            kind: .unknownKey(suggestion: Configuration.suggestion(for: name)), key: name, value: value,
            allowed: "one of " + Configuration.keys.map(\.name).joined(separator: ", "), origin: origin
        )
    }

    /// A line the YAML subset does not accept.
    static func syntax(_ reason: String, line: String, key: String = "", origin: String) -> ConfigurationError {
        ConfigurationError(
            kind: .syntax(reason: reason), key: key, value: line,
            allowed: "a flat mapping of 'key: value' lines", origin: origin
        )
    }

    /// A key the command needs set explicitly, which was left at its default.
    static func missing(_ key: ConfigurationKey) -> ConfigurationError {
        ConfigurationError(kind: .missingValue, key: key.name, value: "", allowed: key.allowed, origin: key.flagName)
    }

    /// The environment variable of `key`, for messages.
    private var environmentName: String {
        Configuration.key(named: key)?.environmentName ?? key
    }

    public var description: String {
        switch kind {
        case .invalidValue:
            return "invalid value '\(value)' for \(key) (from \(origin)): expected \(allowed)"
        case .unknownKey(let suggestion):
            // Files and lines read "in"; flags and variables read "from".
            let place = origin.hasPrefix("--") || origin.hasPrefix("environment ") ? "from" : "in"
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return "unknown key '\(key)' \(place) \(origin)\(hint)"
        case .syntax(let reason):
            return "syntax error in \(origin): \(reason)"
        case .missingValue:
            return "missing value for \(key): give \(origin) (or \(environmentName), or \(key) in the --config file): "
                + "expected \(allowed)"
        }
    }
}
