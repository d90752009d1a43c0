import LinuxSystem
import Logging

/// A swift-log handler for services whose stderr goes to the journal: one line per record,
/// `<N>label: message key=value ...`, where `<N>` is the syslog priority journald reads from the
/// line prefix (`SyslogLevelPrefix=yes`, the default).
///
/// Each record is written with a single `write(2)` (looping only if the kernel takes part of it), so
/// records from several threads or processes sharing the descriptor do not interleave.
public struct JournalLogHandler: LogHandler {
    /// The label after the priority prefix, usually the program or subsystem name.
    public let label: String
    /// The descriptor written to; 2 (stderr) unless given.
    public let fileDescriptor: Int32
    /// Records below this level are dropped (by `Logger`).
    public var logLevel: Logger.Level
    /// Metadata added to every record of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata added to every record, e.g. from task-locals.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler writing to stderr.
    public init(label: String, level: Logger.Level = .info) {
        self.init(label: label, level: level, fileDescriptor: 2)
    }

    /// Creates a handler writing to `fileDescriptor`.
    public init(
        label: String, level: Logger.Level = .info, fileDescriptor: Int32,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    /// Gets or sets one metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one record.
    ///
    /// The corresponding C function is `write`.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let attached = event.metadata {
            merged.merge(attached) { _, new in new }
        }
        var line = Self.format(level: event.level, label: label, message: event.message.description, metadata: merged)
        if let error = event.error {
            line.removeLast()
            line += " error=\(Self.quoted(Self.escaped(String(describing: error))))\n"
        }
        Self.writeAll(line, to: fileDescriptor)
    }

    /// The syslog priority journald understands: 7 debug ... 2 critical.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// One record: `<N>label: message key=value ...\n`, metadata sorted by key, line breaks escaped.
    public static func format(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String
    {
        var line = "<\(priority(level))>\(escaped(label)): \(escaped(message))"
        for key in metadata.keys.sorted() {
            line += " \(escaped(key))=\(quoted(escaped(metadata[key]!.description)))"
        }
        return line + "\n"
    }

    /// `text` with backslash, newline, carriage return and tab written as `\\`, `\n`, `\r`, `\t`, so
    /// that one record stays one journal line.
    static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0.isNewline || $0 == "\t" }) else { return text }
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\r\n": result += "\\r\\n"
            case "\t": result += "\\t"
            default: result.append(character.isNewline ? " " : character)
            }
        }
        return result
    }

    /// `value` in double quotes if it is empty or contains a space or a quote, else unchanged.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" }) else { return value }
        var result = "\""
        for character in value {
            if character == "\"" { result += "\\" }
            result.append(character)
        }
        return result + "\""
    }

    /// Writes all of `text` to `fd`, retrying `EINTR` and giving up on any other error: logging must
    /// never take the process down.
    static func writeAll(_ text: String, to fd: Int32) {
        FileDescriptor(rawValue: fd).writeAllBestEffort(text)
    }
}
