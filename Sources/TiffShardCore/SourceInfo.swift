/// What the decoder reports about a source image (page 0).
public struct SourceInfo: Equatable, Sendable {
    public var width: UInt32
    public var height: UInt32
    public var bitsPerSample: UInt16
    public var channels: UInt16
    public var pages: UInt32
    public var compression: UInt16
    public var usedFallback: Bool
    /// Size and mtime of the file as the worker found it when it opened it (nil if unknown).
    public var observed: ObservedFile?

    public init(
        width: UInt32, height: UInt32, bitsPerSample: UInt16, channels: UInt16, pages: UInt32,
        compression: UInt16 = 1, usedFallback: Bool = false, observed: ObservedFile? = nil
    ) {
        self.observed = observed
        self.width = width
        self.height = height
        self.bitsPerSample = bitsPerSample
        self.channels = channels
        self.pages = pages
        self.compression = compression
        self.usedFallback = usedFallback
    }
}
