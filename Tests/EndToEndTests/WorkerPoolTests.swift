import Foundation
import Glibc
import Testing
import TestSupport

/// The worker pool of `tiffshard convert` with real processes and injected faults
/// (`TIFFSHARD_FAULT_INJECT`: `crash:TEXT` raises SIGSEGV, `abort:TEXT` aborts, `hang:TEXT` blocks, when
/// the path contains TEXT): one bad decode costs one file, never the run, and no worker outlives it.
@Suite(.serialized)
struct WorkerPoolTests {
    /// g00.tif ... g19.tif.
    static let good = (0..<20).map { "g" + ($0 < 10 ? "0" : "") + "\($0).tif" }

    @Test func aCrashingDecoderRejectsOnlyThatFile() throws {
        let h = try ConvertHarness("crash")
        try h.writeGood(Self.good)
        try h.writeGood(["g09-CRASHME.tif"])  // sorted between g09 and g10: good files follow it
        let mark = ProcessTable.newMark()
        let run = try h.convert(environment: ["TIFFSHARD_FAULT_INJECT": "crash:CRASHME", mark.key: mark.value])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try h.check()
        #expect(report.sources == Self.good)
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.rejected == [.init(source: "g09-CRASHME.tif", reason: "decoder crashed (signal 11)")])
        #expect(ConvertHarness.lastLine(run.standardError).hasSuffix("; rejected 1 (crashed: 1)"))
        #expect(ProcessTable.workers(withEnvironment: mark.key, mark.value) == [])
    }

    @Test func repeatedCrashesAndAbortsAreEachRejectedAndEveryGoodFileIsConverted() throws {
        let h = try ConvertHarness("crashloop")
        try h.writeGood(Self.good)
        // Two adjacent crashers make consecutive crashes (the pool backs off), two more are spread out.
        let bad = ["g03-CRASHME.tif", "g03-CRASHME2.tif", "g11-ABORTME.tif", "g17-CRASHME.tif"]
        try h.writeGood(bad)
        let mark = ProcessTable.newMark()
        let run = try h.convert(environment: ["TIFFSHARD_FAULT_INJECT": "crash:CRASHME;abort:ABORTME", mark.key: mark.value])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try h.check()
        #expect(report.sources == Self.good)
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.reasons == [
            "g03-CRASHME.tif": "decoder crashed (signal 11)", "g03-CRASHME2.tif": "decoder crashed (signal 11)",
            "g11-ABORTME.tif": "decoder crashed (signal 6)", "g17-CRASHME.tif": "decoder crashed (signal 11)",
        ])
        #expect(report.rejected.count == 4)
        #expect(ProcessTable.workers(withEnvironment: mark.key, mark.value) == [])
    }

    @Test func aHangingDecodeIsRejectedAfterTheDecodeTimeout() throws {
        let h = try ConvertHarness("hang")
        let good = Array(Self.good.prefix(10))
        try h.writeGood(good)
        try h.writeGood(["g04-HANG.tif"])
        let mark = ProcessTable.newMark()
        let run = try h.convert(
            ["--decode-timeout", "1"], environment: ["TIFFSHARD_FAULT_INJECT": "hang:HANG", mark.key: mark.value])
        #expect(run.status == 0, "\(run.standardError)")
        let report = try h.check()
        #expect(report.sources == good)
        #expect(report.pixels == [])
        #expect(report.rejected == [.init(source: "g04-HANG.tif", reason: "decode timed out after 1 s")])
        #expect(ProcessTable.workers(withEnvironment: mark.key, mark.value) == [])
    }

    @Test func noWorkerOutlivesConvert() throws {
        let h = try ConvertHarness("leftovers")
        try h.writeGood(Array(Self.good.prefix(6)))
        try h.writeGood(["g03-HANG.tif"])
        let mark = ProcessTable.newMark()
        let convert = try DaemonProcess(
            arguments: h.arguments(into: h.output(), ["--decode-timeout", "2"]), directory: h.root.path,
            environment: ["TIFFSHARD_FAULT_INJECT": "hang:HANG", mark.key: mark.value])
        // While it runs, the mark finds its two workers (and nothing else that is not convert itself)...
        #expect(eventually(timeout: 10) { ProcessTable.workers(withEnvironment: mark.key, mark.value).count == 2 })
        let seen = ProcessTable.processes(withEnvironment: mark.key, mark.value).map(\.pid)
        #expect(Set(seen) == Set([convert.pid] + convert.childPIDs))
        #expect(convert.waitForExit(timeout: 30) == 0, "\(convert.log)")
        // ...and once it has exited, nothing: convert reaps its workers before it returns.
        #expect(ProcessTable.processes(withEnvironment: mark.key, mark.value).map(\.commandLine) == [])
    }

    @Test func killingConvertTakesItsWorkersDownAndPublishesNothingPartial() throws {
        let h = try ConvertHarness("sigkill")
        try h.writeGood(Array(Self.good.prefix(6)))
        try h.writeGood(["g03-HANG.tif"])
        let mark = ProcessTable.newMark()
        let convert = try DaemonProcess(
            arguments: h.arguments(into: h.output()), directory: h.root.path,
            environment: ["TIFFSHARD_FAULT_INJECT": "hang:HANG", mark.key: mark.value])
        #expect(eventually(timeout: 10) { ProcessTable.workers(withEnvironment: mark.key, mark.value).count == 2 })
        convert.signal(SIGKILL)
        _ = convert.waitForExit(timeout: 10)
        // The workers see EOF on their socket or get PDEATHSIG; a hung one only the signal can stop.
        #expect(eventually(timeout: 10) { ProcessTable.processes(withEnvironment: mark.key, mark.value).isEmpty })
        #expect(h.listing().filter { $0.hasSuffix(".npy") } == [])
    }

    @Test func interruptPublishesWhatWasDecodedAndExits130() throws {
        let h = try ConvertHarness("sigint")
        let good = Array(Self.good.prefix(10))
        try h.writeGood(good)
        try h.writeGood(["z-HANG.tif"])  // last: everything before it is decoded while it hangs
        let mark = ProcessTable.newMark()
        let convert = try DaemonProcess(
            arguments: h.arguments(into: h.output(), ["--decode-timeout", "3", "--workers", "1"]),
            directory: h.root.path, environment: ["TIFFSHARD_FAULT_INJECT": "hang:HANG", mark.key: mark.value])
        #expect(eventually(timeout: 10) { ProcessTable.workers(withEnvironment: mark.key, mark.value).count == 1 })
        convert.signal(SIGINT)
        #expect(convert.waitForExit(timeout: 30) == 130, "\(convert.log)")
        let report = try h.check()
        #expect(report.structure == [])
        #expect(report.pixels == [])
        // Files not yet handed to a worker are left out; whatever was published is a prefix, in order.
        #expect(Array(good.prefix(report.sources.count)) == report.sources)
        #expect(ProcessTable.processes(withEnvironment: mark.key, mark.value).isEmpty)
    }
}
