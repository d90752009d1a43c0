// FaultInjection exists only in debug builds (it is compiled out of the release binary).
#if DEBUG
import Testing

@testable import TiffShardWorker

/// Parsing of `TIFFSHARD_FAULT_INJECT`; the faults themselves (SIGSEGV, abort, hang) are exercised on
/// real worker processes by `EndToEndTests.WorkerPoolTests` and the fault suite.
@Suite struct FaultInjectionTests {
    func rules(_ specification: String?) -> [String] {
        FaultInjection(specification: specification).rules.map { "\($0.0.rawValue):\($0.1)" }
    }

    @Test func unsetOrEmptyMeansNoFaults() {
        #expect(rules(nil).isEmpty)
        #expect(rules("").isEmpty)
    }

    @Test func rulesAreSeparatedBySemicolonsAndKeepColonsInTheirText() {
        #expect(rules("crash:bad.tif;hang:slow;abort:a:b") == ["crash:bad.tif", "hang:slow", "abort:a:b"])
    }

    @Test func malformedOrUnknownRulesAreIgnored() {
        #expect(rules("explode:x;crash;;hang:slow") == ["hang:slow"])
    }

    @Test func aPathMatchingNoRuleIsLeftAlone() {
        FaultInjection(specification: "crash:never-matches;abort:nor-this").apply(to: "/in/ordinary.tif")
    }
}
#endif
