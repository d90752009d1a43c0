import Testing

@testable import TiffShardCore

private func line(_ source: String, bytes: Int64, mtime: Int64) -> String {
    RejectionRecord(
        source: SourcePath(source), rejection: Rejection(.notTIFF, "x"), timeNanoseconds: 1, bytes: bytes,
        modificationTimeNanoseconds: mtime
    ).encoded()
}

/// Only records whose file is still there, unchanged, are remembered: the set is bounded by the ingest
/// directory, whatever the log's length.
@Test func onlyRecordsOfFilesStillInTheIngestDirectoryUnchangedAreRemembered() {
    let ingest: [SourcePath: ObservedFile] = [
        "here.tif": ObservedFile(size: 10, modificationTimeNanoseconds: 20),
        "rewritten.tif": ObservedFile(size: 11, modificationTimeNanoseconds: 99),
    ]
    var asked: [SourcePath] = []
    let lines = [
        line("here.tif", bytes: 10, mtime: 20),
        line("rewritten.tif", bytes: 11, mtime: 21),
        line("gone.tif", bytes: 1, mtime: 2),
        line("gone.tif", bytes: 1, mtime: 3),
        #"{"source": "old.tif", "reason": "not a TIFF: empty file", "time_ns": 5, "bytes": 0}"#,
        "not json at all",
        "",
    ]
    let recorded = RecordedRejections(lines: lines) { path in
        asked.append(path)
        return ingest[path]
    }
    #expect(recorded.count == 1)
    #expect(recorded.contains(SourceIdentity(relativePath: "here.tif", size: 10, modificationTimeNanoseconds: 20)))
    #expect(!recorded.contains(SourceIdentity(relativePath: "rewritten.tif", size: 11, modificationTimeNanoseconds: 99)))
    #expect(asked == ["here.tif", "rewritten.tif", "gone.tif"], "each name looked up once; records without mtime skipped")
}

@Test func aFileIsRememberedFromItsRecordUntilItLeaves() {
    var recorded = RecordedRejections()
    let identity = SourceIdentity(relativePath: "a.tif", size: 1, modificationTimeNanoseconds: 2)
    recorded.insert(identity)
    #expect(recorded.contains(identity))
    #expect(!recorded.contains(SourceIdentity(relativePath: "a.tif", size: 1, modificationTimeNanoseconds: 3)))
    recorded.remove(identity)
    #expect(!recorded.contains(identity))
}
