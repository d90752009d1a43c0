/// What the decoder reports about the decoded page of a source image, and where it landed in the row.
public struct SourceInfo: Equatable, Sendable {
    public var width: UInt32
    public var height: UInt32
    public var bitsPerSample: UInt16
    public var channels: UInt16
    /// Pages of the file: images of the main IFD chain that are not reduced-resolution (`tsk_info.pages`).
    public var pages: UInt32
    public var compression: UInt16
    public var usedFallback: Bool
    /// TIFF SampleFormat of the page: 1 unsigned, 2 signed, 3 float; 0 when not known (older manifests).
    public var sampleFormat: UInt16
    /// TIFF Photometric of the page; 0xFFFF when the file has none or it is not known (older manifests).
    public var photometric: UInt16
    /// Index of the decoded page in the file's main IFD chain (reduced-resolution images count here).
    public var directory: UInt32
    /// Where the page landed in the output row; nil when not known (older manifests).
    public var placement: Placement?
    /// Size and mtime of the file as the worker found it when it opened it (nil if unknown).
    public var observed: ObservedFile?

    public init(
        width: UInt32, height: UInt32, bitsPerSample: UInt16, channels: UInt16, pages: UInt32,
        compression: UInt16 = 1, usedFallback: Bool = false, sampleFormat: UInt16 = 0,
        photometric: UInt16 = SourceInfo.unknownPhotometric, directory: UInt32 = 0, placement: Placement? = nil,
        observed: ObservedFile? = nil
    ) {
        self.observed = observed
        self.width = width
        self.height = height
        self.bitsPerSample = bitsPerSample
        self.channels = channels
        self.pages = pages
        self.compression = compression
        self.usedFallback = usedFallback
        self.sampleFormat = sampleFormat
        self.photometric = photometric
        self.directory = directory
        self.placement = placement
    }

    /// `photometric` of a file without the tag (the kernel's value), or of a record that does not say.
    public static let unknownPhotometric: UInt16 = 0xFFFF
}
