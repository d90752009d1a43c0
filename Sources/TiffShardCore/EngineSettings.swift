/// The part of the configuration the engine acts on.
public struct EngineSettings: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Rows per shard (K).
    public var shardSize: Int
    /// Shared-memory segments in the ring (R).
    public var ringSize: Int
    public var interpolation: Interpolation
    /// Sample type, channels, pages and resize mode of every row.
    public var output: OutputFormat
    public var maxPixels: UInt64
    public var workerCount: Int
    /// Maximum jobs per batch sent to one worker.
    public var batchSize: Int
    /// Seal a partial shard after this long without arrivals (nil: never; `convert` seals at the end).
    public var idleFlush: Duration?
    /// Seal a shard whose oldest row is this old (nil: never).
    public var maxShardAge: Duration?
    /// Kill a worker whose current image takes longer than this (nil: no limit).
    public var decodeTimeout: Duration?
    /// Bytes of its batch's files a worker asks the kernel to read ahead (`read-ahead`; 0: off).
    public var readAheadBytes: UInt64
    /// How many times a file is handed to a worker that then dies before it is rejected.
    public var maxAttempts: Int

    public init(
        width: Int, height: Int, shardSize: Int = 1024, ringSize: Int = 3, interpolation: Interpolation = .linear,
        output: OutputFormat = .default, maxPixels: UInt64 = 1 << 30, workerCount: Int = 2, batchSize: Int = 16, idleFlush: Duration? = nil,
        maxShardAge: Duration? = nil, decodeTimeout: Duration? = .seconds(30), maxAttempts: Int = 2,
        readAheadBytes: UInt64 = 0
    ) {
        self.width = width
        self.height = height
        self.shardSize = shardSize
        self.ringSize = ringSize
        self.interpolation = interpolation
        self.output = output
        self.maxPixels = maxPixels
        self.workerCount = workerCount
        self.batchSize = batchSize
        self.idleFlush = idleFlush
        self.maxShardAge = maxShardAge
        self.decodeTimeout = decodeTimeout
        self.maxAttempts = maxAttempts
        self.readAheadBytes = readAheadBytes
    }

    /// Bytes of one image row (H x W x channels x sample size).
    public var imageBytes: Int { width * height * output.pixelBytes }
    /// Bytes of one ring segment (K rows).
    public var slotBytes: Int { shardSize * imageBytes }

    /// Whether `other` needs a different shared-memory ring (and so new workers). A different output format
    /// does too: one shard never mixes formats, so the current one is published first.
    public func needsNewRing(_ other: EngineSettings) -> Bool {
        width != other.width || height != other.height || shardSize != other.shardSize || ringSize != other.ringSize
            || output != other.output
    }
}
