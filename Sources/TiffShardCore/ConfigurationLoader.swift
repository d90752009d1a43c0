/// Builds a `Configuration` from the layers defaults <- file <- environment <- flags, then validates it.
///
/// Pure: the caller reads the file and passes its text, the environment and the CPU count.
public enum ConfigurationLoader {
    /// The origin recorded for a value nobody set.
    public static let defaultOrigin = "default"

    /// Reads the strict YAML subset of configuration files (see `ConfigurationYAML`): a flat mapping of
    /// `key: value` lines, `#` comments, blank lines, plain, 'single' or "double" quoted values, and
    /// `~`/`null`/nothing meaning "default" (a nil value). Keys are not checked against `Configuration.keys`
    /// here. Each entry's origin is `origin:LINE`.
    public static func parse(yaml text: String, origin: String) throws(ConfigurationError) -> [(
        key: String, value: String?, origin: String
    )] {
        try ConfigurationYAML.parse(text, origin: origin).map { ($0.key, $0.value, "\(origin):\($0.line)") }
    }

    /// The configuration of `command` from its defaults, then `fileText` (nil: no file), then `TIFFSHARD_<KEY>`
    /// variables of `environment` (an empty variable restores the default), then `overrides` in order (flags,
    /// origin `--key`); every value is checked as it is applied, then the keys are checked together.
    ///
    /// The file may set any key (one file serves both commands; keys `command` does not read are checked
    /// and ignored). Variables of keys `command` does not read are ignored; a flag of such a key is unknown.
    public static func load(
        fileText: String?, fileOrigin: String, environment: [String: String],
        overrides: [(key: String, value: String)], cpuCount: Int, command: ConfigurationCommand = .run
    ) throws(ConfigurationError) -> Configuration {
        try resolve(
            fileText: fileText, fileOrigin: fileOrigin, environment: environment, overrides: overrides,
            cpuCount: cpuCount, command: command
        ).configuration
    }

    /// `load`, also returning where each value came from and any warnings (for `check-config` and logs).
    public static func resolve(
        fileText: String?, fileOrigin: String, environment: [String: String],
        overrides: [(key: String, value: String)], cpuCount: Int, command: ConfigurationCommand = .run
    ) throws(ConfigurationError) -> LoadedConfiguration {
        let defaults = Configuration(defaultsFor: command, cpuCount: cpuCount)
        var builder = Builder(
            loaded: LoadedConfiguration(
                configuration: defaults,
                origins: Dictionary(
                    uniqueKeysWithValues: Configuration.keys.map {
                        ($0.name, defaultOrigin)
                    })
            ),
            defaults: defaults
        )
        if let fileText {
            for entry in try parse(yaml: fileText, origin: fileOrigin) {
                try builder.apply(entry.key, entry.value, origin: entry.origin)
            }
        }
        for key in Configuration.keys(for: command) {
            guard let text = environment[key.environmentName] else { continue }
            try builder.apply(key.name, text.isEmpty ? nil : text, origin: "environment \(key.environmentName)")
        }
        for name in environment.keys.sorted()
        where name.hasPrefix("TIFFSHARD_") && Configuration.key(environmentName: name) == nil
            && !Partition.Variable.tiffshardNames.contains(name) {
            let hint =
                Configuration.suggestion(for: name).flatMap(Configuration.key(named:))
                .map { " (did you mean \($0.environmentName)?)" } ?? ""
            builder.loaded.warnings.append("environment variable \(name) names no configuration key\(hint)")
        }
        for override in overrides {
            // The command line normally rejects such a flag first; this keeps the loader honest on its own.
            if let key = Configuration.key(named: override.key), !key.applies(to: command) {
                throw ConfigurationError(
                    kind: .unknownKey(suggestion: nil), key: key.name, value: override.value,
                    allowed: "one of " + Configuration.keys(for: command).map(\.name).joined(separator: ", "),
                    origin: key.flagName)
            }
            try builder.apply(override.key, override.value, origin: "--\(override.key)")
        }
        for key in Configuration.keys where key.requiredBy.contains(command) {
            if builder.loaded.origins[key.name] == defaultOrigin { throw ConfigurationError.missing(key) }
        }
        try builder.loaded.configuration.validate(origins: builder.loaded.origins, command: command)
        return builder.loaded
    }

    /// Applies values one at a time, recording origins.
    private struct Builder {
        var loaded: LoadedConfiguration
        let defaults: Configuration

        /// Sets `name` from `text` (nil: back to the default).
        mutating func apply(_ name: String, _ text: String?, origin: String) throws(ConfigurationError) {
            guard let key = Configuration.key(named: name) else {
                throw ConfigurationError.unknown(name, value: text ?? "", origin: origin)
            }
            if let text {
                guard key.assign(&loaded.configuration, text) else {
                    throw ConfigurationError.invalid(key, text, origin: origin)
                }
            } else {
                key.copy(&loaded.configuration, defaults)
            }
            loaded.origins[name] = origin
        }
    }
}
