/// A batch of jobs with the geometry and output format they share.
public struct DecodeBatch: Equatable, Sendable {
    /// The ingest or source directory's path bytes: the worker joins it to each job's path at `open`.
    public var root: [UInt8]
    public var width: UInt32
    public var height: UInt32
    public var interpolation: Interpolation
    public var maxPixels: UInt64
    /// Sample type, channels and resize mode of every row (and so its size: see `imageBytes`).
    public var output: OutputFormat
    /// Bytes of the jobs' files the worker asks the kernel to read ahead before decoding (0: none).
    public var readAheadBytes: UInt64
    public var jobs: [DecodeJob]

    public init(root: [UInt8] = [], width: UInt32, height: UInt32, interpolation: Interpolation, maxPixels: UInt64,
                output: OutputFormat = .default, readAheadBytes: UInt64 = 0, jobs: [DecodeJob]) {
        self.root = root
        self.width = width
        self.height = height
        self.interpolation = interpolation
        self.maxPixels = maxPixels
        self.output = output
        self.readAheadBytes = readAheadBytes
        self.jobs = jobs
    }

    /// Bytes of one row: width x height x channels x sample size (`EngineSettings.imageBytes`).
    public var imageBytes: Int { Int(width) * Int(height) * output.pixelBytes }
}
