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
