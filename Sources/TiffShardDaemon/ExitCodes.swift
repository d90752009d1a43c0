/// Process exit codes (sysexits.h), part of the public interface.
public enum ExitCodes {
    public static let success: Int32 = 0
    /// Command-line usage error.
    public static let usage: Int32 = 64
    /// The data disagrees with itself (`index`: a partition is missing or unfinished; `convert --partition`:
    /// OUT holds this partition of another file list).
    public static let dataError: Int32 = 65
    /// Input data error (e.g. SRC is not a directory).
    public static let noInput: Int32 = 66
    /// Internal error (a bug or an impossible resource condition).
    public static let internalError: Int32 = 70
    /// I/O error on the output or ingest directory.
    public static let ioError: Int32 = 74
    /// Invalid configuration.
    public static let config: Int32 = 78
    /// Interrupted by SIGINT/SIGTERM (convert only; the daemon exits 0 on SIGTERM).
    public static let interrupted: Int32 = 130
}
