/// A batch of jobs with the geometry they share.
public struct DecodeBatch: Equatable, Sendable {
    /// The ingest or source directory's path bytes: the worker joins it to each job's path at `open`.
    public var root: [UInt8]
    public var width: UInt32
    public var height: UInt32
    public var interpolation: Interpolation
    public var maxPixels: UInt64
    public var jobs: [DecodeJob]

    public init(root: [UInt8] = [], width: UInt32, height: UInt32, interpolation: Interpolation, maxPixels: UInt64,
                jobs: [DecodeJob]) {
        self.root = root
        self.width = width
        self.height = height
        self.interpolation = interpolation
        self.maxPixels = maxPixels
        self.jobs = jobs
    }
}
