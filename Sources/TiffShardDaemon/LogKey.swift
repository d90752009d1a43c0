/// Logger metadata keys (constants, so log consumers can rely on them).
enum LogKey {
    static let worker = "worker"
    static let pid = "pid"
    static let error = "error"
    static let source = "source"
    static let shard = "shard"
    static let reason = "reason"
    /// A rejection's `Rejection.Category` raw value (`not-tiff`, `crashed`...).
    static let category = "category"
    static let rows = "rows"
    static let bytes = "bytes"
    static let milliseconds = "ms"
    static let path = "path"
}
