import Glibc

/// The process environment. Changing it is not thread-safe in glibc: do it before starting threads
/// (or in tests that do not run in parallel with others reading it).
public enum Environment {
    /// The value of variable `name`, or `nil` if it is not set.
    ///
    /// The corresponding C function is `getenv`.
    public static func get(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Sets variable `name` to `value`, replacing any previous value.
    ///
    /// The corresponding C function is `setenv`.
    public static func set(_ name: String, _ value: String) {
        setenv(name, value, 1)
    }

    /// Removes variable `name`.
    ///
    /// The corresponding C function is `unsetenv`.
    public static func unset(_ name: String) {
        unsetenv(name)
    }

    /// Every variable as `"NAME=value"`, in the order of `environ`.
    ///
    /// The corresponding C variable is `environ`.
    public static var all: [String] {
        var variables = [String]()
        var cursor = environ
        while let entry = cursor.pointee {
            variables.append(String(cString: entry))
            cursor += 1
        }
        return variables
    }

    /// Every variable by name (a name set twice in `environ` keeps its last value).
    public static var dictionary: [String: String] {
        var result: [String: String] = [:]
        for entry in all {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        return result
    }

    /// ``all`` without the variables named in `names` (e.g. `NOTIFY_SOCKET` for a worker).
    public static func all(removing names: [String]) -> [String] {
        let prefixes = names.map { $0 + "=" }
        return all.filter { variable in !prefixes.contains { variable.hasPrefix($0) } }
    }
}
