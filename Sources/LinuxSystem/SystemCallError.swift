/// A failed system call with its context: which call, on which path(s), and the `errno` it returned.
///
/// Its description reads like `rename /a -> /b: No space left on device`.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    /// The C function that failed, e.g. `"rename"`.
    public let call: String
    /// The path (or `"from -> to"` for two paths) the call worked on, if any.
    public let path: String?
    /// The error number the call failed with.
    public let errno: Errno

    /// Creates an error for `call` on `path` that failed with `errno`.
    public init(call: String, path: String? = nil, errno: Errno) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// `"call path: message"`, or `"call: message"` without a path.
    public var description: String {
        if let path {
            return "\(call) \(path): \(errno)"
        }
        return "\(call): \(errno)"
    }
}
