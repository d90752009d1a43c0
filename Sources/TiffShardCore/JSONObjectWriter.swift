/// Builds one JSON object with keys in insertion order.
public struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var first = true

    public init() {}

    private mutating func key(_ key: String) {
        if !first { text += ", " }
        first = false
        text += JSONObjectWriter.quote(key) + ": "
    }
    /// Appends a string member.
    public mutating func add(_ name: String, _ value: String) { key(name); text += Self.quote(value) }
    /// Appends a path member, losslessly: bytes that are not valid UTF-8 become `\udcXX` (U+DC00 + byte,
    /// what Python's `os.fsdecode` gives and `os.fsencode` turns back into the same bytes).
    public mutating func add(_ name: String, _ value: SourcePath) {
        key(name)
        text += Self.quote(value)
    }
    /// Appends an integer member.
    public mutating func add(_ name: String, _ value: Int64) { key(name); text += String(value) }
    /// Appends an integer member.
    public mutating func add(_ name: String, _ value: Int) { key(name); text += String(value) }
    /// Appends a boolean member.
    public mutating func add(_ name: String, _ value: Bool) { key(name); text += value ? "true" : "false" }
    /// Appends a floating-point member (finite values only; non-finite become null).
    public mutating func add(_ name: String, _ value: Double) {
        key(name)
        text += value.isFinite ? String(value) : "null"
    }
    /// Appends an array of integers: `[64, 48]`.
    public mutating func add(_ name: String, _ values: [Int]) {
        key(name)
        text += "[" + values.map(String.init).joined(separator: ", ") + "]"
    }
    /// Appends an array of floating-point numbers (non-finite elements become null).
    public mutating func add(_ name: String, _ values: [Double]) {
        key(name)
        text += "[" + values.map { $0.isFinite ? String($0) : "null" }.joined(separator: ", ") + "]"
    }
    /// Appends an array of paths, each written losslessly as `add(_:_: SourcePath)` writes one.
    public mutating func add(_ name: String, _ values: [SourcePath]) {
        key(name)
        text += "[" + values.map(Self.quote).joined(separator: ", ") + "]"
    }
    /// Appends a member whose value is JSON text the caller built (a nested object or an array of them).
    public mutating func add(_ name: String, _ values: [String]) {
        key(name)
        text += "[" + values.map(Self.quote).joined(separator: ", ") + "]"
    }

    public mutating func add(_ name: String, json: String) { key(name); text += json }
    /// Appends `null`.
    public mutating func addNull(_ name: String) { key(name); text += "null" }
    /// The finished object, without a trailing newline.
    public var result: String { text + "}" }

    /// JSON string literal for a path: bytes that are not valid UTF-8 become `\udcXX`.
    public static func quote(_ path: SourcePath) -> String {
        var out = "\""
        for piece in path.surrogateEscapedPieces {
            switch piece {
            case .text(let t): out += quote(t).dropFirst().dropLast()
            case .escapedByte(let b): out += "\\udc" + SourcePath.hex(b)
            }
        }
        return out + "\""
    }

    /// JSON string literal for `s`, escaping quotes, backslashes and control characters (RFC 8259 §7).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
