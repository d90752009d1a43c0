extension FileDescriptor {
    /// Writes all of `text` as UTF-8, looping over partial writes and retrying `EINTR`, and gives up
    /// silently at the first other error, including `EBADF`: for log records and diagnostics, which
    /// must never take the process down (a closed or broken stderr is the environment's choice).
    ///
    /// The corresponding C function is `write`.
    public func writeAllBestEffort(_ text: String) {
        UnbufferedOutput.write(text, to: rawValue)
    }
}
