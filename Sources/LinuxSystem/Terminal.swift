import CLinuxShim
import Glibc

/// Terminal queries, to decide on colours and progress output.
public enum Terminal {
    /// Whether `fd` refers to a terminal.
    ///
    /// The corresponding C function is `isatty`.
    public static func isTerminal(_ fd: FileDescriptor) -> Bool {
        isatty(fd.rawValue) == 1
    }

    /// The width of the terminal on `fd` in columns, or `nil` if `fd` is not a terminal.
    ///
    /// The corresponding C function is `ioctl(TIOCGWINSZ)`.
    public static func columns(_ fd: FileDescriptor) -> Int? {
        let columns = tsl_terminal_columns(fd.rawValue)
        return columns > 0 ? Int(columns) : nil
    }
}
