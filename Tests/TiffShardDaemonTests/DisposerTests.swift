import LinuxSystem
import Testing

@testable import TiffShardDaemon

/// The path arithmetic disposition relies on: where a source's directory is, and the name a moved file
/// takes when its plain name is already used in the destination.
@Suite struct DisposerTests {
    @Test(arguments: [
        ("dir/a.tif", "dir"), ("/in/sub/a.tif", "/in/sub"), ("/a.tif", "/"), ("a.tif", "."), ("/x/y/z", "/x/y"),
    ])
    func parentIsEverythingBeforeTheLastSlash(_ path: String, _ parent: String) {
        #expect(FilePath(path).parent == FilePath(parent))
    }

    @Test(arguments: [
        ("dir/a.tif", 1, "dir/a.1.tif"),
        ("dir/a.b.TIFF", 2, "dir/a.b.2.TIFF"),
        ("dir/noext", 3, "dir/noext.3"),
        ("dir.d/noext", 4, "dir.d/noext.4"),
        ("dir/.hidden", 5, "dir/.hidden.5"),
        ("a.tif", 12, "a.12.tif"),
    ])
    func suffixedPutsTheNumberBeforeTheExtension(_ path: String, _ n: Int, _ expected: String) {
        #expect(Disposer.suffixed(FilePath(path), n) == FilePath(expected))
    }

    @Test func suffixedShortensTheStemToStayWithinNameMax() {
        let long = "/out/" + String(repeating: "x", count: 300) + ".tif"
        let result = Disposer.suffixed(FilePath(long), 17).description
        #expect(result.hasPrefix("/out/xxx"))
        #expect(result.hasSuffix("x.17.tif"))
        #expect(result.dropFirst("/out/".count).utf8.count == 255)
    }

    @Test func suffixedShortensMultiByteStemsByWholeCharacters() {
        let long = "d/" + String(repeating: "é", count: 200) + ".tif"
        let name = Disposer.suffixed(FilePath(long), 3).description.dropFirst(2)
        #expect(name.utf8.count <= 255)
        #expect(name.hasSuffix("é.3.tif"))
        #expect(name.dropLast(".3.tif".count).allSatisfy { $0 == "é" })
    }

    @Test func suffixedKeepsBytesThatAreNotUTF8() {
        let path = FilePath(bytes: Array("in/bad-".utf8) + [0xFF] + Array("-name.tif".utf8))
        #expect(Disposer.suffixed(path, 1).bytes == Array("in/bad-".utf8) + [0xFF] + Array("-name.1.tif".utf8))
    }
}
