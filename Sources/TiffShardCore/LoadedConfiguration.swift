/// A configuration together with where each value came from.
public struct LoadedConfiguration: Equatable, Sendable {
    public var configuration: Configuration
    /// By key name (`shard-size`): `default`, `FILE:LINE`, `environment TIFFSHARD_SHARD_SIZE` or `--shard-size`.
    public var origins: [String: String]
    /// Things worth logging that are not errors: `TIFFSHARD_*` variables that name no key.
    public var warnings: [String]

    public init(configuration: Configuration, origins: [String: String], warnings: [String] = []) {
        self.configuration = configuration
        self.origins = origins
        self.warnings = warnings
    }
}
