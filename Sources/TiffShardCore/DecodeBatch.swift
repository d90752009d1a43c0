/// A batch of jobs with the geometry they share.
public struct DecodeBatch: Equatable, Sendable {
    public var width: UInt32
    public var height: UInt32
    public var interpolation: Interpolation
    public var maxPixels: UInt64
    public var jobs: [DecodeJob]

    public init(width: UInt32, height: UInt32, interpolation: Interpolation, maxPixels: UInt64, jobs: [DecodeJob]) {
        self.width = width
        self.height = height
        self.interpolation = interpolation
        self.maxPixels = maxPixels
        self.jobs = jobs
    }
}
