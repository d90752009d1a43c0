import LinuxSystem
import Testing

@Suite struct SignalDescriptorTests {
    @Test func receivesABlockedSignalSentToThisThread() throws {
        // Synchronous test: it stays on one thread, so blocking and raising for "this thread" is
        // coherent, and no other thread sees the signal.
        try Signal.blockInProcess([Signal.user1])
        defer { try? Signal.unblockInThread([Signal.user1]) }
        let descriptor = try SignalDescriptor(signals: [Signal.user1])
        #expect(try descriptor.fileDescriptor.isCloseOnExec())
        #expect(try descriptor.fileDescriptor.isNonBlocking())
        #expect(try descriptor.readSignals() == [])
        try Signal.raiseInThread(Signal.user1)
        #expect(try descriptor.readSignals() == [Signal.user1])
        #expect(try descriptor.readSignals() == [])
    }

    @Test func signalNames() {
        #expect(Signal.name(Signal.segmentationFault) == "SIGSEGV")
        #expect(Signal.name(Signal.terminate) == "SIGTERM")
        #expect(Signal.name(Signal.child) == "SIGCHLD")
        #expect(Signal.name(Signal.continue_) == "SIGCONT")
        #expect(Signal.name(1000) == "signal 1000")
    }
}
