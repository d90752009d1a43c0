import Testing

@testable import TiffShardDaemon

/// Locale-free number formatting for STATUS lines and summaries.
@Suite struct FormatTests {
    @Test(arguments: [
        (1.5, 2, "1.50"), (12.345, 1, "12.3"), (2.0, 0, "2"), (2.5, 0, "3"), (0.25, 1, "0.3"), (1.999, 2, "2.00"),
        (-12.5, 1, "-12.5"), (-0.25, 1, "-0.3"), (0.0, 3, "0.000"), (1234.5678, 3, "1234.568"), (0.004, 2, "0.00"),
    ])
    func fixedRoundsHalfAwayFromZero(_ value: Double, _ digits: Int, _ expected: String) {
        #expect(Format.fixed(value, digits) == expected)
    }

    @Test func fixedWritesADashForWhatIsNotANumber() {
        #expect(Format.fixed(.nan, 1) == "-")
        #expect(Format.fixed(.infinity, 2) == "-")
        #expect(Format.fixed(-.infinity, 0) == "-")
    }

    @Test func secondsIncludesTheFraction() {
        #expect(Format.seconds(.milliseconds(1500)) == 1.5)
        #expect(Format.seconds(.seconds(3)) == 3)
        #expect(Format.seconds(.zero) == 0)
    }
}
