/// Why a source file was not ingested: a category for code and counters, a detail for people.
///
/// The category travels from the image kernel's status code through the wire protocol, the engine, the
/// logs and the rejection logs (`failures.jsonl`, `rejected.jsonl`) as a value; nothing recovers it from
/// the text. `reason` keeps the human form the logs always had (`not a TIFF: empty file`).
public struct Rejection: Hashable, Sendable, CustomStringConvertible {
    /// The fixed, documented list of rejection categories (`"category"` in the rejection logs).
    public enum Category: String, CaseIterable, Hashable, Sendable {
        /// No TIFF signature.
        case notTIFF = "not-tiff"
        /// A zero-byte file.
        case empty
        /// Declared pixels over `max-pixels`.
        case tooLarge = "too-large"
        /// A layout neither the direct decoder nor the `cv::imread` fallback handles.
        case unsupported
        /// libtiff (and the fallback) could not decode the data: truncated, corrupt, sparse blocks.
        case decodeFailed = "decode-failed"
        /// The decoder crashed on this file on every attempt.
        case crashed
        /// One decode took longer than `decode-timeout`.
        case timeout
        /// A directory, FIFO, socket or device with a TIFF name.
        case notRegular = "not-regular"
        /// A symlink (not followed, or dangling).
        case symlink
        /// A name that cannot be carried (reserved for names the filesystem layer cannot represent).
        case badName = "bad-name"
        /// The file could not be opened or read.
        case unreadable
        /// The file was modified while it was being read (one-shot `convert` only; the daemon reads it again).
        case changed
        /// The decoder ran out of memory (`worker-memory-limit`) on every attempt.
        case outOfMemory = "out-of-memory"
        /// A bug or an impossible condition.
        case `internal`

        /// The words that start the human `reason` (kept from the logs before categories existed).
        public var label: String {
            switch self {
            case .notTIFF: "not a TIFF"
            case .empty: "not a TIFF"
            case .tooLarge: "too large"
            case .unsupported: "unsupported"
            case .decodeFailed: "decode failed"
            case .crashed: "decoder crashed"
            case .timeout: "decode timed out"
            case .notRegular: "not a regular file"
            case .symlink: "symlink"
            case .badName: "bad name"
            case .unreadable: "unreadable"
            case .changed: "changed"
            case .outOfMemory: "out of memory"
            case .internal: "internal error"
            }
        }
    }

    public var category: Category
    /// What exactly went wrong, for people (libtiff's message, the exit status, the file type...).
    public var detail: String
    /// The page of a multi-page file the failure is about (`pages: all`, once the file is known to have more
    /// than one page): the whole file is rejected, and the reason starts with `page k of K: `.
    public var page: SourcePage?

    public init(_ category: Category, _ detail: String, page: SourcePage? = nil) {
        self.category = category
        self.detail = detail
        self.page = page
    }

    /// The human reason, in the words the logs always used: `label: detail` for most categories,
    /// `decoder crashed (signal 11)` for a crash and `decode timed out after 30 s` for a timeout
    /// (or the label alone when there is no detail).
    public var reason: String {
        guard let page else { return fileReason }
        return "\(page): \(fileReason)"
    }

    /// The reason without the page.
    private var fileReason: String {
        guard !detail.isEmpty else { return category.label }
        switch category {
        case .crashed: return "\(category.label) (\(detail))"
        case .timeout: return "\(category.label) \(detail)"
        default: return "\(category.label): \(detail)"
        }
    }

    /// Whether a later attempt may succeed where this one failed (the file itself is not known to be bad).
    public var isTransient: Bool { category == .outOfMemory }

    public var description: String { reason }
}
