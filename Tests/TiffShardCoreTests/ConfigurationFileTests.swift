import Foundation
import Testing

@testable import TiffShardCore

/// The sample `config/tiffshard.yaml` shipped in the repository.
@Suite struct ConfigurationFileTests {
    /// `config/tiffshard.yaml`, found from this file's path (Tests/TiffShardCoreTests/ -> repository root).
    private static let path: String = {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/") + "/config/tiffshard.yaml"
    }()

    private func text() throws -> String {
        try String(contentsOfFile: Self.path, encoding: .utf8)
    }

    @Test func sampleFileYieldsExactlyTheDefaults() throws {
        let loaded = try ConfigurationLoader.resolve(
            fileText: try text(), fileOrigin: Self.path, environment: [:], overrides: [], cpuCount: 3
        )
        #expect(loaded.configuration == Configuration(cpuCount: 3))
        #expect(loaded.warnings.isEmpty)
        // Every key but workers (commented out: the CPU count) is set in the file.
        for key in Configuration.keys {
            let fromFile = loaded.origins[key.name]?.hasPrefix(Self.path + ":") == true
            #expect(fromFile == (key.name != "workers"), "\(key.name): \(loaded.origins[key.name] ?? "")")
        }
    }

    @Test func sampleFileListsEveryKeyWithItsDefault() throws {
        let parsed = try ConfigurationLoader.parse(yaml: try text(), origin: "sample")
        let values = Dictionary(uniqueKeysWithValues: parsed.map { ($0.key, $0.value) })
        #expect(Set(values.keys) == Set(Configuration.keys.map(\.name)).subtracting(["workers"]))
        let lines = try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains { $0.hasPrefix("# workers: ") })
        for key in Configuration.keys {
            if key.name != "workers" { #expect(values[key.name] == .some(key.defaultText), "\(key.name)") }
            // The comment block above the key (or, for height, above width) states the default.
            let index = try #require(
                lines.firstIndex { $0.hasPrefix(key.name + ":") || $0.hasPrefix("# \(key.name):") }
            )
            let block = lines[..<index].reversed().prefix { !$0.isEmpty }
            #expect(block.contains { $0.contains("Default: ") }, "\(key.name)")
        }
    }

    @Test func sampleFileKeysAppearInTableOrder() throws {
        let parsed = try ConfigurationLoader.parse(yaml: try text(), origin: "sample").map(\.key)
        let table = Configuration.keys.map(\.name).filter { $0 != "workers" }
        #expect(parsed == table)
    }
}
