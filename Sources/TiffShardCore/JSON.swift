/// Minimal JSON for our line-oriented records: an encoder for flat objects and a parser for the same.
///
/// Manifests and failure logs are flat objects of strings, integers, doubles, booleans and arrays of numbers
/// (`"resized": [64, 48]`); a small
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
    /// An array of scalars (never of arrays or objects).
    case array([JSONValue])

    /// The value as an integer, if it is one.
    public var intValue: Int64? {
        if case .int(let v) = self { return v }
        return nil
    }
    /// The value as a number, integer or not.
    public var numberValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }
    /// The value as an array of integers, if it is one.
    public var intArrayValue: [Int64]? {
        guard case .array(let elements) = self else { return nil }
        let values = elements.compactMap(\.intValue)
        return values.count == elements.count ? values : nil
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
