/// Images per second over a sliding window of about five seconds.
struct RateMeter {
    private var samples: [(time: Duration, count: Int)] = []

    mutating func record(count: Int, at time: Duration) {
        samples.append((time, count))
        while let first = samples.first, time - first.time > .seconds(5) { samples.removeFirst() }
    }

    var perSecond: Double {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return 0 }
        return Double(last.count - first.count) / Format.seconds(last.time - first.time)
    }
}
