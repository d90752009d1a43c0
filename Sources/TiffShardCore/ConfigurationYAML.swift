/// Reader for the strict YAML subset of configuration files: one flat mapping of `key: value` lines.
///
/// Accepted: `#` comments (whole lines, or after a space or tab), blank lines, an optional `---` before
/// the first key, values plain, `'single'` (`''` is a quote) or `"double"` quoted (`\"`, `\\`, `\n`,
/// `\t` escapes), and `~`, `null` or nothing meaning "the default". LF, CRLF and CR line ends and a
/// leading byte-order mark are fine. Anything else a YAML reader might take (indentation, lists, flow
/// collections, anchors, tags, block scalars, multi-line strings, duplicate keys) is an error naming the
/// line, so a file never means something other than what it appears to say.
enum ConfigurationYAML {
    /// One `key: value` line; `value` nil means the default.
    struct Entry {
        var key: String
        var value: String?
        var line: Int
    }

    /// Parses `text`; error origins are `origin:line`.
    static func parse(_ text: String, origin: String) throws(ConfigurationError) -> [Entry] {
        var entries: [Entry] = []
        var firstLine: [String: Int] = [:]
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // A Swift Character treats "\r\n" as one grapheme, so splitting on characters handles all three ends.
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let place = "\(origin):\(number)"
            let line = String(rawLine)
            func fail(_ reason: String, key: String = "") -> ConfigurationError {
                .syntax(reason, line: line, key: key, origin: place)
            }
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.first == "#" { continue }
            if line.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw fail("tab used for indentation (YAML allows only spaces, and this file no indentation)")
            }
            if content.count < line.count {
                throw fail("unexpected indentation: nested mappings are not supported, keys start in column 1")
            }
            if trimmedTrailing(content) == "---" {
                guard entries.isEmpty else { throw fail("only one document is allowed ('---' after the first key)") }
                continue
            }
            let entry = try parseLine(line, number: number, fail: fail)
            if let first = firstLine[entry.key] {
                throw fail("duplicate key '\(entry.key)' (first set on line \(first))", key: entry.key)
            }
            firstLine[entry.key] = number
            entries.append(entry)
        }
        return entries
    }

    /// Splits one unindented line into key and value.
    private static func parseLine(
        _ line: String, number: Int, fail: (String, String) -> ConfigurationError
    ) throws(ConfigurationError) -> Entry {
        if line.hasPrefix("- ") || line == "-" { throw fail("lists are not supported", "") }
        if let first = line.first, "?[{\"'&*!|>%@`".contains(first) {
            throw fail("a key must be a plain name such as 'width' (found '\(first)')", "")
        }
        // A mapping key ends at the first ": " (or ":" at the end of the line); "a:b" is a plain scalar in YAML.
        guard let colon = keyEnd(line) else {
            throw fail("expected 'key: value' (a space must follow the colon)", "")
        }
        let key = String(trimmedTrailing(line[..<colon]))
        if key.isEmpty || key.contains(where: { $0 == "\t" || $0 == "#" }) {
            throw fail("a key must be a plain name such as 'width'", "")
        }
        let rest = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        let value = try scalar(rest, key: key, fail: fail)
        return Entry(key: key, value: value, line: number)
    }

    /// Index of the colon ending the key, if the line has one followed by a blank or the end.
    private static func keyEnd(_ line: String) -> String.Index? {
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == ":" {
                let next = line.index(after: index)
                if next == line.endIndex || line[next] == " " || line[next] == "\t" { return index }
            }
            index = line.index(after: index)
        }
        return nil
    }

    /// The value after `key: `: nil for `~`, `null` or nothing, else the unquoted text.
    private static func scalar(
        _ text: Substring, key: String, fail: (String, String) -> ConfigurationError
    ) throws(ConfigurationError) -> String? {
        guard let first = text.first, first != "#" else { return nil }
        switch first {
        case "'", "\"":
            var index = text.index(after: text.startIndex)
            var value = ""
            while true {
                guard index < text.endIndex else {
                    throw fail("unterminated quoted value (quoted values must end on the same line)", key)
                }
                let character = text[index]
                index = text.index(after: index)
                if character == first {
                    if first == "'", index < text.endIndex, text[index] == "'" {
                        value.append("'")
                        index = text.index(after: index)
                        continue
                    }
                    break
                }
                if first == "\"", character == "\\" {
                    guard index < text.endIndex else { throw fail("unterminated quoted value", key) }
                    let escaped = text[index]
                    index = text.index(after: index)
                    switch escaped {
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: throw fail("unsupported escape '\\\(escaped)' (use \\\" \\\\ \\n or \\t)", key)
                    }
                    continue
                }
                value.append(character)
            }
            let after = text[index...]
            let tail = after.drop { $0 == " " || $0 == "\t" }
            guard tail.isEmpty || (tail.first == "#" && tail.count < after.count) else {
                throw fail("unexpected text after the closing quote", key)
            }
            return value
        case "[", "{":
            throw fail("flow sequences and mappings ('[...]', '{...}') are not supported", key)
        case "&", "*", "!", "|", ">", "%", "@", "`":
            throw fail(
                "'\(first)' at the start of a value needs quotes (anchors, tags and block scalars are not supported)",
                key)
        default:
            break
        }
        if first == "-", text.count == 1 || text.dropFirst().first == " " {
            throw fail("lists are not supported", key)
        }
        var value = text
        // A trailing comment starts at a '#' preceded by a blank.
        if let hash = value.indices.first(where: { i in
            value[i] == "#" && i > value.startIndex && [" ", "\t"].contains(value[value.index(before: i)])
        }) {
            value = value[..<hash]
        }
        let plain = trimmedTrailing(value)
        if keyEnd(String(plain)) != nil {
            throw fail("a value cannot contain ': ' unless quoted (nested mappings are not supported)", key)
        }
        if ["~", "null", "Null", "NULL", ""].contains(plain) { return nil }
        return String(plain)
    }

    /// `text` without trailing spaces and tabs.
    private static func trimmedTrailing(_ text: Substring) -> Substring {
        var end = text.endIndex
        while end > text.startIndex, [" ", "\t"].contains(text[text.index(before: end)]) {
            end = text.index(before: end)
        }
        return text[..<end]
    }
}
