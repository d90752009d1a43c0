/// Minimal JSON for our line-oriented records: an encoder for flat objects and a parser for the same.
///
/// Manifests and failure logs are flat objects of strings, integers, doubles and booleans; a small
/// exact implementation avoids Foundation in the core and keeps output byte-stable.
public enum JSONValue: Equatable, Sendable {
    case string(String)
    /// A string holding lone surrogates U+DC80...U+DCFF (written for bytes of a name that are not valid
    /// UTF-8, Python's `surrogateescape`): the bytes they stand for, with valid text as UTF-8.
    case escapedBytes([UInt8])
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null

    /// The value as an integer, if it is one.
    public var intValue: Int64? {
        if case .int(let v) = self { return v }
        return nil
    }
    /// The value as a string, if it is one (and holds no escaped bytes).
    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }
    /// The value as a path: any string, escaped bytes restored.
    public var pathValue: SourcePath? {
        switch self {
        case .string(let v): SourcePath(v)
        case .escapedBytes(let bytes): SourcePath(bytes: bytes)
        default: nil
        }
    }
}

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
        text += "\""
        for piece in value.surrogateEscapedPieces {
            switch piece {
            case .text(let t): text += Self.quote(t).dropFirst().dropLast()
            case .escapedByte(let b): text += "\\udc" + SourcePath.hex(b)
            }
        }
        text += "\""
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
    /// The finished object, without a trailing newline.
    public var result: String { text + "}" }

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

/// Parses one flat JSON object (no nested objects or arrays), as written by `JSONObjectWriter`.
public enum JSONObjectParser {
    /// Returns the members of the object in `line`, or nil if it is not a flat JSON object.
    public static func parse(_ line: String) -> [String: JSONValue]? {
        var p = Cursor(Array(line.unicodeScalars))
        p.skipSpace()
        guard p.take("{") else { return nil }
        var result: [String: JSONValue] = [:]
        p.skipSpace()
        if p.take("}") { return p.atEndAfterSpace() ? result : nil }
        while true {
            p.skipSpace()
            guard case .string(let key)? = p.string() else { return nil }
            p.skipSpace()
            guard p.take(":") else { return nil }
            p.skipSpace()
            guard let value = p.value() else { return nil }
            result[key] = value
            p.skipSpace()
            if p.take(",") { continue }
            if p.take("}") { return p.atEndAfterSpace() ? result : nil }
            return nil
        }
    }

    private struct Cursor {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }

        mutating func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" { i += 1 } }
        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        mutating func atEndAfterSpace() -> Bool { skipSpace(); return i == s.count }

        mutating func string() -> JSONValue? {
            guard take("\"") else { return nil }
            var out = String.UnicodeScalarView()
            var escaped: [UInt8]? = nil  // set once a lone U+DC80...U+DCFF is met: then bytes are collected
            func flush() {
                if escaped != nil { escaped! += Array(String(out).utf8); out = String.UnicodeScalarView() }
            }
            while i < s.count {
                let c = s[i]; i += 1
                if c == "\"" {
                    flush()
                    return escaped.map(JSONValue.escapedBytes) ?? .string(String(out))
                }
                if c != "\\" { out.append(c); continue }
                guard i < s.count else { return nil }
                let e = s[i]; i += 1
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u":
                    guard let high = hex4() else { return nil }
                    var code = high
                    if (0xDC80...0xDCFF).contains(high) {
                        // surrogateescape: the byte of a name that is not valid UTF-8.
                        if escaped == nil { escaped = [] }
                        flush()
                        escaped!.append(UInt8(high - 0xDC00))
                        continue
                    }
                    if (0xD800..<0xDC00).contains(high) {
                        guard take("\\"), take("u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(scalar)
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= s.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = Int(String(s[i]), radix: 16) else { return nil }
                v = v * 16 + UInt32(d); i += 1
            }
            return v
        }

        mutating func value() -> JSONValue? {
            guard i < s.count else { return nil }
            switch s[i] {
            case "\"": return string()
            case "t": return word("true") ? .bool(true) : nil
            case "f": return word("false") ? .bool(false) : nil
            case "n": return word("null") ? .null : nil
            default:
                let start = i
                while i < s.count, "+-0123456789.eE".unicodeScalars.contains(s[i]) { i += 1 }
                let text = String(String.UnicodeScalarView(s[start..<i]))
                if let v = Int64(text) { return .int(v) }
                if let v = Double(text) { return .double(v) }
                return nil
            }
        }

        mutating func word(_ w: String) -> Bool {
            let ws = Array(w.unicodeScalars)
            guard i + ws.count <= s.count, Array(s[i..<(i + ws.count)]) == ws else { return false }
            i += ws.count
            return true
        }
    }
}
