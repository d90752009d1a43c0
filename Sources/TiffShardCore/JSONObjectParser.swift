/// Parses one flat JSON object (no nested objects; arrays of scalars only), as written by `JSONObjectWriter`.
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
            guard let value = p.member() else { return nil }
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

        /// A member's value: a scalar, or an array of scalars.
        mutating func member() -> JSONValue? {
            guard take("[") else { return value() }
            var elements: [JSONValue] = []
            skipSpace()
            if take("]") { return .array(elements) }
            while true {
                skipSpace()
                guard let element = value() else { return nil }
                elements.append(element)
                skipSpace()
                if take(",") { continue }
                return take("]") ? .array(elements) : nil
            }
        }

        /// A scalar: string, number, true, false or null.
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
