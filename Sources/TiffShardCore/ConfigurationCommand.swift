/// A command that reads configuration keys: the daemon (`run`, and `check-config` which explains it) or
/// one-shot `convert`.
///
/// Each key in `Configuration.keys` lists the commands it applies to; a command has a flag for exactly
/// those keys and reads exactly those `TIFFSHARD_*` variables.
public enum ConfigurationCommand: String, CaseIterable, Sendable {
    /// `tiffshard run` and `tiffshard check-config`: every key.
    case run
    /// `tiffshard convert SRC OUT`: the keys that shape the output and the workers.
    case convert
}
