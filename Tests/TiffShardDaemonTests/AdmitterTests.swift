import Glibc
import LinuxSystem
import TestSupport
import Testing
import TiffShardCore

@testable import TiffShardDaemon

/// What a look at a real directory entry tells the intake, on a temporary directory.
@Suite struct AdmitterTests {
    @Test func looksClassifyEntriesByTypeAndNameWhateverTheirBytes() throws {
        let dir = try TemporaryDirectory("admitter")
        defer { dir.remove() }
        let latin1 = Array("caf".utf8) + [0xE9] + Array(".tif".utf8)
        let fd = try FileDescriptor.open(FilePath(bytes: Array(dir.path.utf8) + [0x2F] + latin1), [.writeOnly, .create])
        try fd.writeAll([1, 2, 3])
        fd.close()
        _ = try dir.write("notes.txt", bytes: [1])
        _ = try dir.directory("folder.tif")
        #expect(mkfifo(dir("pipe.tif"), 0o644) == 0)
        try FileSystem.createSymbolicLink(dir("link.tif"), to: dir("notes.txt"))
        let admitter = Admitter(root: FilePath(dir.path), followSymlinks: false, recursive: false)

        guard case .candidate(let file) = admitter.examine(SourcePath(bytes: latin1)) else {
            Issue.record("a latin-1 name is a candidate like any other")
            return
        }
        #expect(file.relativePath.bytes == latin1 && file.size == 3)
        #expect(admitter.examine("notes.txt") == .absent("notes.txt"))
        #expect(admitter.examine("gone.tif") == .absent("gone.tif"))
        #expect(rejection(admitter.examine("pipe.tif")) == Rejection(.notRegular, "FIFO"))
        #expect(rejection(admitter.examine("folder.tif")) == Rejection(.notRegular, "directory"))
        #expect(rejection(admitter.examine("link.tif"))?.category == .symlink)
        // A scan lists in byte order and leaves out what is not ours.
        #expect(try admitter.scan().map(\.path) == [SourcePath(bytes: latin1), "folder.tif", "link.tif", "pipe.tif"])
    }

    @Test func followedSymlinksAreJudgedByTheirTarget() throws {
        let dir = try TemporaryDirectory("admitter-links")
        defer { dir.remove() }
        _ = try dir.write("target.bin", bytes: [1, 2, 3, 4])
        try FileSystem.createSymbolicLink(dir("good.tif"), to: dir("target.bin"))
        try FileSystem.createSymbolicLink(dir("dangling.tif"), to: dir("missing"))
        let admitter = Admitter(root: FilePath(dir.path), followSymlinks: true, recursive: false)
        guard case .candidate(let file) = admitter.examine("good.tif") else {
            Issue.record("a followed link to a regular file is a candidate")
            return
        }
        #expect(file.size == 4, "the target's size")
        #expect(rejection(admitter.examine("dangling.tif")) == Rejection(.symlink, "dangling (target does not exist)"))
    }

    private func rejection(_ examination: Intake.Examination) -> Rejection? {
        if case .rejected(_, let rejection) = examination { return rejection }
        return nil
    }
}
