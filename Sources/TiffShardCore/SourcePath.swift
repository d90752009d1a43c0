/// A path relative to the ingest (or source) directory, as the exact bytes the kernel reported.
///
/// File names on Linux are bytes, not text: names from Windows shares or old archives are often not
/// valid UTF-8. A source is keyed by these bytes everywhere; the root is joined only at the system call,
/// and text is made from them only for people (``description``) or lossless JSON (``jsonEscaped``).
public struct SourcePath: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, components separated by `/`, no leading or trailing slash.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(stringLiteral text: String) { self.init(text) }

    /// Byte order, as `ls` in the C locale and Python's `sorted()` of `os.fsencode` names sort.
    public static func < (a: SourcePath, b: SourcePath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// The path as text if its bytes are valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// For logs and messages: the text, with each byte that is not part of valid UTF-8 shown as `\xNN`.
    public var description: String {
        if let string { return string }
        var out = ""
        for piece in Self.pieces(bytes) {
            switch piece {
            case .text(let text): out += text
            case .byte(let b): out += "\\x" + Self.hex(b)
            }
        }
        return out
    }

    /// The last component (the file's own name).
    public var name: SourcePath {
        guard let slash = bytes.lastIndex(of: 0x2F) else { return self }
        return SourcePath(bytes: Array(bytes[(slash + 1)...]))
    }

    /// The name of a file `component` inside this directory (the empty path is the root itself).
    public func appending(_ component: SourcePath) -> SourcePath {
        bytes.isEmpty ? component : SourcePath(bytes: bytes + [0x2F] + component.bytes)
    }

    /// The bytes of `root/self`, as handed to a system call.
    public func absolute(under root: [UInt8]) -> [UInt8] { bytes.isEmpty ? root : root + [0x2F] + bytes }

    /// Whether the name starts with a dot (hidden; also rsync's and many copiers' temporary names).
    public var isHidden: Bool { name.bytes.first == 0x2E }

    /// The text Python's `os.fsdecode` would give (`surrogateescape`): each byte that is not part of valid
    /// UTF-8 becomes the lone surrogate U+DC00+byte. As a JSON string, such a code point can only be
    /// written as the escape `\udcXX`, so this returns the JSON string *contents* with those escapes;
    /// every other character is left for the JSON writer to escape as usual (see `JSONObjectWriter`).
    public var surrogateEscapedPieces: [SurrogateEscapedPiece] {
        Self.pieces(bytes).map {
            switch $0 {
            case .text(let text): .text(text)
            case .byte(let b): .escapedByte(b)
            }
        }
    }

    /// A run of valid text, or one byte that is not part of valid UTF-8.
    public enum SurrogateEscapedPiece: Equatable, Sendable {
        case text(String)
        case escapedByte(UInt8)
    }

    private enum Piece {
        case text(String)
        case byte(UInt8)
    }

    /// Splits bytes into maximal valid UTF-8 runs and the single bytes between them.
    private static func pieces(_ bytes: [UInt8]) -> [Piece] {
        var result: [Piece] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            let length = validSequenceLength(bytes, at: i)
            if length > 0 {
                i += length
                continue
            }
            if start < i { result.append(.text(String(decoding: bytes[start..<i], as: UTF8.self))) }
            result.append(.byte(bytes[i]))
            i += 1
            start = i
        }
        if start < bytes.count { result.append(.text(String(decoding: bytes[start...], as: UTF8.self))) }
        return result
    }

    /// The length of the valid UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF), or 0 if the byte there does not start one.
    static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let lead = b[i]
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            i + k < b.count && range.contains(b[i + k])
        }
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    static func hex(_ b: UInt8) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }
}
