/// Strict parsers and renderers for configuration value text: integers, durations, booleans, names, paths.
///
/// Every parser accepts exactly what its key's `allowed` text promises and returns nil otherwise; the
/// caller turns nil into a `ConfigurationError` naming key, value, allowed and origin.
enum ConfigurationValue {
    /// A decimal integer of ASCII digits (no sign, no separators) within `range`.
    static func integer(_ text: String, in range: ClosedRange<UInt64>) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = UInt64(text), range.contains(value)
        else { return nil }
        return value
    }

    /// `integer` as an `Int`, for ranges that fit one.
    static func int(_ text: String, in range: ClosedRange<Int>) -> Int? {
        integer(text, in: UInt64(range.lowerBound)...UInt64(range.upperBound)).map { Int($0) }
    }

    /// The longest duration any key accepts: 8760 hours (a year), far from `Duration`'s limits.
    static let maxDuration: Duration = .seconds(8760 * 3600)

    /// A duration: seconds as a decimal (`2`, `0.5`) or a decimal with a unit `ms`, `s`, `m`, `h`
    /// (`500ms`, `1.5s`, `5m`, `1h`), at most 9 fractional digits, between 0 and 8760h inclusive.
    static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, duration: Duration)] = [
            ("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600)),
        ]
        var number = Substring(text)
        var unit: Duration = .seconds(1)
        // "ms" is tested before "s" and "m" so that "500ms" is not read as "500m" + "s".
        if let match = units.first(where: { text.hasSuffix($0.suffix) }) {
            number = number.dropLast(match.suffix.count)
            unit = match.duration
        }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        let isDigits = { (s: Substring) in s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard !whole.isEmpty, whole.count <= 10, isDigits(whole), let wholeValue = Int(whole),
            parts.count == 1 || !fraction.isEmpty, fraction.count <= 9, isDigits(fraction)
        else { return nil }
        var result = unit * wholeValue
        if let fractionValue = Int(fraction) {
            var scale = 1
            for _ in 0..<fraction.count { scale *= 10 }
            // Exact: Duration multiplies and divides 128-bit attoseconds.
            result += unit * fractionValue / scale
        }
        return result <= maxDuration ? result : nil
    }

    /// A duration strictly greater than zero.
    static func positiveDuration(_ text: String) -> Duration? {
        duration(text).flatMap { $0 > .zero ? $0 : nil }
    }

    /// A duration where zero means "off" (nil); the outer optional is nil when the text is invalid.
    static func optionalDuration(_ text: String) -> Duration?? {
        guard let value = duration(text) else { return nil }
        return .some(value == .zero ? nil : value)
    }

    /// A duration as seconds with a unit, shortest exact form: `2s`, `0.5s`, `0.001s`.
    static func render(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard attoseconds != 0 else { return "\(seconds)s" }
        var digits = String(attoseconds)
        digits = String(repeating: "0", count: 18 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(seconds).\(digits)s"
    }

    /// `rescan-interval`: nil renders as `0` (off).
    static func render(_ duration: Duration?) -> String {
        duration.map { render($0) } ?? "0"
    }

    /// A finite decimal number: an optional `-`, digits, an optional fraction and an optional exponent
    /// (`0`, `255`, `-1.5`, `1e-3`); no `inf`, `nan`, hexadecimal or blanks, which `Double(_:)` would accept.
    static func number(_ text: String) -> Double? {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard text.utf8.count <= 64 else { return nil }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard digits() > 0 else { return nil }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return nil }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard bytes.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value == 0 ? 0 : value  // -0 is 0
    }

    /// A number as `number` reads it back: integers without a fraction (`0`, `255`), others in Swift's
    /// shortest round-trip form (`0.5`, `1e+20`).
    static func render(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// A boolean: `true`/`yes`/`on`/`1` or `false`/`no`/`off`/`0`, lower case.
    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// One of an enumeration's raw values, exactly.
    static func choice<E: RawRepresentable>(_ text: String) -> E? where E.RawValue == String {
        E(rawValue: text)
    }

    /// The allowed text for an enumeration: `move, delete or keep`.
    static func alternatives(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }

    /// A non-empty path without NUL bytes.
    static func path(_ text: String) -> String? {
        text.isEmpty || text.utf8.contains(0) ? nil : text
    }

    /// An instance prefix: up to 64 of `A-Z a-z 0-9 _ . -`, not starting with `.` (a hidden name), or empty.
    static func instance(_ text: String) -> String? {
        guard text.utf8.count <= 64, !text.hasPrefix(".") else { return nil }
        let ok = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
        return ok ? text : nil
    }

    /// The lexical form of a path used to compare directories: `.` and empty components dropped,
    /// no trailing slash, so `./ingest/`, `ingest` and `ingest//.` compare equal. `..` and symbolic
    /// links are not resolved (that needs the file system).
    static func normalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        let parts = path.split(separator: "/").filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// Whether normalized `inner` lies strictly inside normalized `outer`.
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        let inner = normalized(inner)
        let outer = normalized(outer)
        if outer == "." { return !inner.hasPrefix("/") && inner != "." && inner.split(separator: "/").first != ".." }
        return inner.hasPrefix(outer == "/" ? "/" : outer + "/") && inner != outer
    }

    /// Bytes as a short binary-unit text: `16 MiB`, `1.5 GiB`, `512 B`.
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var unit = 0
        var scale: UInt64 = 1
        while unit < units.count - 1, count >= scale * 1024 {
            scale *= 1024
            unit += 1
        }
        let tenths = (count * 10 + scale / 2) / scale
        let text = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
        return "\(text) \(units[unit])"
    }
}
