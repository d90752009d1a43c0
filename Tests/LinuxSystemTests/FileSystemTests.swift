import LinuxSystem
import TestSupport
import Testing

@Suite struct FileSystemTests {
    @Test func renameNoReplaceRefusesToOverwrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.writeFileAtomically(directory.file("a"), [1])
        try FileSystem.writeFileAtomically(directory.file("b"), [2])
        let error = #expect(throws: SystemCallError.self) {
            try FileSystem.renameNoReplace(directory.file("a"), to: directory.file("b"))
        }
        #expect(error?.errno == .exists)
        #expect(
            error?.description
                == "renameat2(RENAME_NOREPLACE) \(directory.file("a")) -> \(directory.file("b")): File exists")
        #expect(try FileSystem.readFile(directory.file("b")) == [2])
        try FileSystem.renameNoReplace(directory.file("a"), to: directory.file("c"))
        #expect(try FileSystem.statusIfExists(directory.file("a")) == nil)
        #expect(try FileSystem.readFile(directory.file("c")) == [1])
    }

    @Test func renameReplacesAndReportsBothPaths() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.writeFileAtomically(directory.file("a"), [1])
        try FileSystem.writeFileAtomically(directory.file("b"), [2])
        try FileSystem.rename(directory.file("a"), to: directory.file("b"))
        #expect(try FileSystem.readFile(directory.file("b")) == [1])
        let error = #expect(throws: SystemCallError.self) {
            try FileSystem.rename(directory.file("missing"), to: directory.file("b"))
        }
        #expect(
            error?.description
                == "rename \(directory.file("missing")) -> \(directory.file("b")): No such file or directory")
    }

    @Test func statusIfExistsIsNilForMissingPaths() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try FileSystem.statusIfExists(directory.file("nothing")) == nil)
        try FileSystem.writeFileAtomically(directory.file("file"), [])
        // ENOTDIR: a path through a regular file.
        #expect(try FileSystem.statusIfExists(directory.file("file/below")) == nil)
        #expect(try FileSystem.statusIfExists(directory.file("file"))?.kind == .regular)
        #expect(try FileSystem.statusIfExists(directory.path)?.kind == .directory)
    }

    @Test func statusDistinguishesSymlinkFromTarget() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.writeFileAtomically(directory.file("target"), [1, 2, 3])
        try FileSystem.createSymbolicLink(directory.file("link"), to: "target")
        #expect(try FileSystem.status(directory.file("link")).kind == .regular)
        #expect(try FileSystem.status(directory.file("link")).size == 3)
        #expect(try FileSystem.status(directory.file("link"), followSymlinks: false).kind == .symlink)
        let target = try FileSystem.status(directory.file("target"))
        #expect(try FileSystem.status(directory.file("link")) == target)
        #expect(target.modificationTimeNanoseconds > 1_600_000_000 * 1_000_000_000)
    }

    @Test func listDirectoryReportsKinds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.writeFileAtomically(directory.file("file.tif"), [0])
        try FileSystem.createDirectory(directory.file("sub"))
        try FileSystem.createSymbolicLink(directory.file("link"), to: "file.tif")
        let socket = try DatagramSocket(boundTo: directory.file("sock"))
        let entries = try FileSystem.listDirectory(directory.path)
        _ = socket
        let kinds = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.kind) })
        #expect(kinds == ["file.tif": .regular, "sub": .directory, "link": .symlink, "sock": .socket])
        #expect(entries.allSatisfy { $0.nameIsValidUTF8 })
        #expect(try FileSystem.listDirectory(directory.file("sub")).isEmpty)
    }

    @Test func createDirectoryMakesParentsAndAcceptsExisting() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let deep = directory.file("a/b/c")
        try FileSystem.createDirectory(deep)
        try FileSystem.createDirectory(deep)
        #expect(try FileSystem.status(deep).kind == .directory)
        try FileSystem.writeFileAtomically(directory.file("plain"), [])
        let error = #expect(throws: SystemCallError.self) { try FileSystem.createDirectory(directory.file("plain")) }
        #expect(error?.errno == .exists)
        let missingParent = #expect(throws: SystemCallError.self) {
            try FileSystem.createDirectory(directory.file("x/y"), intermediates: false)
        }
        #expect(missingParent?.errno == .noEntry)
        try FileSystem.removeDirectory(deep)
        #expect(try FileSystem.statusIfExists(deep) == nil)
        let notEmpty = #expect(throws: SystemCallError.self) { try FileSystem.removeDirectory(directory.file("a")) }
        #expect(notEmpty?.errno == .notEmpty)
    }

    @Test func writeFileAtomicallyReplacesAndLeavesNoTemporaries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("manifest.jsonl")
        try FileSystem.writeFileAtomically(path, Array("one\n".utf8))
        try FileSystem.writeFileAtomically(path, Array("two\n".utf8))
        #expect(try FileSystem.readFile(path) == Array("two\n".utf8))
        #expect(try FileSystem.listDirectory(directory.path).map(\.name) == ["manifest.jsonl"])
        try FileSystem.syncDirectory(directory.path)
    }

    @Test func unlinkIfExistsReportsWhetherItExisted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.writeFileAtomically(directory.file("f"), [])
        #expect(try FileSystem.unlinkIfExists(directory.file("f")))
        #expect(try !FileSystem.unlinkIfExists(directory.file("f")))
        let error = #expect(throws: SystemCallError.self) { try FileSystem.unlink(directory.file("f")) }
        #expect(error?.errno == .noEntry)
    }

    @Test func realPathResolvesLinksAndDots() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileSystem.createDirectory(directory.file("real"))
        try FileSystem.createSymbolicLink(directory.file("alias"), to: "real")
        let resolved = try FileSystem.realPath(directory.file("alias/../alias/."))
        #expect(resolved == (try FileSystem.realPath(directory.path)) + "/real")
        #expect(try FileSystem.currentDirectory().hasPrefix("/"))
    }
}
