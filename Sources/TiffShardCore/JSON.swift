/// Minimal JSON for our line-oriented records: an encoder for flat objects and a parser for the same.
///
/// Manifests and failure logs are flat objects of strings, integers, doubles and booleans; a small
/// exact implementation avoids Foundation in the core and keeps output byte-stable.
public enum JSONValue: Equatable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null

    /// The value as an integer, if it is one.
    public var intValue: Int64? {
        if case .int(let v) = self { return v }
        return nil
    }
    /// The value as a string, if it is one.
    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }
}
