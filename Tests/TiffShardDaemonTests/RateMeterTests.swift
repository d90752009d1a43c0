import Testing

@testable import TiffShardDaemon

/// Images per second over a sliding window of about five seconds.
@Suite struct RateMeterTests {
    @Test func noRateUntilTwoSamplesAtDifferentTimes() {
        var meter = RateMeter()
        #expect(meter.perSecond == 0)
        meter.record(count: 10, at: .seconds(1))
        #expect(meter.perSecond == 0)
        meter.record(count: 20, at: .seconds(1))
        #expect(meter.perSecond == 0)
    }

    @Test func rateIsCountDifferenceOverTimeDifference() {
        var meter = RateMeter()
        meter.record(count: 0, at: .seconds(0))
        meter.record(count: 50, at: .seconds(1))
        meter.record(count: 100, at: .milliseconds(2500))
        #expect(meter.perSecond == 40)
    }

    @Test func samplesOlderThanFiveSecondsAreForgotten() {
        var meter = RateMeter()
        meter.record(count: 0, at: .seconds(0))
        meter.record(count: 1000, at: .seconds(1))
        // Exactly five seconds back still counts.
        meter.record(count: 1100, at: .seconds(5))
        #expect(meter.perSecond == 220)
        meter.record(count: 1200, at: .seconds(6))
        // The burst at 0..1 s is out of the window: (1200 - 1000) / (6 - 1).
        #expect(meter.perSecond == 40)
        meter.record(count: 1200, at: .seconds(20))
        #expect(meter.perSecond == 0)
    }
}
