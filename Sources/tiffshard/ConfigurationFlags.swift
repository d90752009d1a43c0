import ArgumentParser
import LinuxSystem
import TiffShardCore

/// Flags of one command's configuration keys, plus `--config FILE`, loaded through `ConfigurationLoader`.
///
/// A conforming type declares `@Option(help: .key("shard-size", .run)) var shardSize: String?` for each key
/// the command reads (ArgumentParser needs a stored property per flag). Everything else comes from
/// `Configuration.keys`: the flag name is the property name in kebab case (`shardSize` -> `--shard-size`),
/// the help text is the key's, and `overrides` finds the given flags by reflection, so adding a key is a
/// table entry plus that one line. `ConvertCommandLineTests` checks the flags of every command against
/// the table through `--help` (every key has its flag, every flag its key, help text from the table).
protocol ConfigurationFlags: ParsableArguments {
    /// The command whose keys these are.
    static var command: ConfigurationCommand { get }
    /// The YAML file to read (`--config`), if any.
    var config: String? { get }
}

extension ConfigurationFlags {
    /// The flags given on the command line, as (key, value) in declaration order.
    var overrides: [(key: String, value: String)] {
        Mirror(reflecting: self).children.compactMap { child -> (key: String, value: String)? in
            guard let label = child.label else { return nil }
            let name = Self.keyName(property: label)
            guard name != "config" else { return nil }
            guard Configuration.key(named: name)?.applies(to: Self.command) == true else {
                preconditionFailure("flag property \(label) of \(Self.self) names no \(Self.command) configuration key")
            }
            if let option = child.value as? Option<String?> { return option.wrappedValue.map { (name, $0) } }
            // A switch (`convert --recursive`) sets its boolean key to true; absent, it leaves the key alone.
            if let flag = child.value as? Flag<Bool> { return flag.wrappedValue ? (name, "true") : nil }
            preconditionFailure("flag property \(label) of \(Self.self) is neither Option<String?> nor Flag<Bool>")
        }
    }

    /// The key name ArgumentParser derives for a property: `_shardSize` -> `shard-size`.
    static func keyName(property label: String) -> String {
        var name = ""
        for character in label.drop(while: { $0 == "_" }) {
            if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    /// Loads defaults + file + environment + flags for `command`. Throws `ConfigurationFailure`.
    func load() throws(ConfigurationFailure) -> LoadedConfiguration {
        var text: String?
        if let config {
            do { text = String(decoding: try FileSystem.readFile(config), as: UTF8.self) } catch {
                throw ConfigurationFailure(message: "cannot read configuration file \(config): \(error)", origin: config)
            }
        }
        var environment: [String: String] = [:]
        for entry in Environment.all {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        do {
            return try ConfigurationLoader.resolve(
                fileText: text, fileOrigin: config ?? "", environment: environment, overrides: overrides,
                cpuCount: SystemInfo.onlineProcessorCount, command: Self.command)
        } catch {
            throw ConfigurationFailure(message: "\(error)", origin: error.origin)
        }
    }
}

extension ArgumentHelp {
    /// The help of the flag of key `name` as `command` reads it, from `Configuration.keys`.
    static func key(_ name: String, _ command: ConfigurationCommand) -> ArgumentHelp {
        guard let key = Configuration.key(named: name) else { preconditionFailure("no configuration key \(name)") }
        return ArgumentHelp(key.help(for: command))
    }
}

extension ArgumentHelp {
    /// The help of a switch setting boolean key `name` to true, from `Configuration.keys`.
    static func switchKey(_ name: String, _ command: ConfigurationCommand) -> ArgumentHelp {
        guard let key = Configuration.key(named: name) else { preconditionFailure("no configuration key \(name)") }
        return ArgumentHelp(key.switchHelp(for: command))
    }
}

/// A configuration that cannot be used: `run` and `check-config` exit with status 78 (EX_CONFIG).
struct ConfigurationFailure: Error, CustomStringConvertible {
    /// The message for the user, naming key, value, what is allowed and where it was set.
    var message: String
    /// Where the offending value was set: `--width`, `environment TIFFSHARD_WIDTH`, `FILE:LINE`, `default`.
    var origin: String
    var description: String { message }

    /// Whether the command line itself is to blame (a flag, or flags that do not fit the defaults),
    /// rather than the environment or a file: `convert` exits 64 (usage) then, 78 otherwise.
    var isUsageError: Bool {
        origin.hasPrefix("--") || origin == ConfigurationLoader.defaultOrigin
    }
}
