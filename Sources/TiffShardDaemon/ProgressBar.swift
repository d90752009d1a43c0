import LinuxSystem

/// A one-line progress bar on a terminal: done/total, images/s, ETA. Redrawn at most 10 times a second.
struct ProgressBar {
    let total: Int
    private var start: Duration?
    private var lastDone = 0

    init(total: Int) { self.total = total }

    mutating func update(done: Int, decoded: Int, now: Duration) {
        if start == nil { start = now }
        let elapsed = max(Format.seconds(now - start!), 1e-3)
        let rate = Double(decoded) / elapsed
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        StandardError.write("\r[\(bar)] \(done)/\(total)  \(Format.fixed(rate, 1)) img/s  ETA \(Self.clock(remaining))\u{1B}[K")
        lastDone = done
    }

    /// Leaves the last state on screen and moves to the next line.
    func finish() { StandardError.write("\n") }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
