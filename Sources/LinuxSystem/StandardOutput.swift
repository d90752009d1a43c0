/// Unbuffered writes to descriptor 1.
public enum StandardOutput {
    /// Writes `text` to descriptor 1 with `write(2)` (no buffering), looping over partial writes and
    /// giving up silently if stdout is closed or broken (e.g. `| head`).
    ///
    /// The corresponding C function is `write`.
    public static func write(_ text: String) {
        UnbufferedOutput.write(text, to: 1)
    }
}
