/// Unbuffered writes to descriptor 2.
public enum StandardError {
    /// Writes `text` to descriptor 2 with `write(2)` (no buffering), looping over partial writes and
    /// giving up silently if stderr is closed or broken: diagnostics must never crash the caller.
    ///
    /// The corresponding C function is `write`.
    public static func write(_ text: String) {
        UnbufferedOutput.write(text, to: 2)
    }
}
