import Testing

@testable import TiffShardCore

/// The human reasons are the texts users and tests grep; categories only add to them.
@Test func rejectionReasonsKeepTheirWords() {
    #expect(Rejection(.empty, "empty file").reason == "not a TIFF: empty file")
    #expect(Rejection(.crashed, "signal 11").reason == "decoder crashed (signal 11)")
    #expect(Rejection(.timeout, "after 30 s").reason == "decode timed out after 30 s")
    #expect(Rejection(.timeout, "").reason == "decode timed out")
    #expect(Rejection(.outOfMemory, "allocation failed (std::bad_alloc)").reason == "out of memory: allocation failed (std::bad_alloc)")
    #expect(Rejection(.notRegular, "FIFO").reason == "not a regular file: FIFO")
    #expect(WorkerExit.signaled(11).description == "signal 11")
    #expect(WorkerExit.exited(134).description == "exit code 134")
}
