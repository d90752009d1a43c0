import LinuxSystem
import TiffShardCore

/// The ring of shared-memory shard segments: `ringSize` memfds of `shardSize` rows of
/// `height x width x channels x sample size` bytes (`EngineSettings.imageBytes`).
///
/// Memory stays constant however many images arrive: rows are written by workers straight into these
/// segments, and the publisher writes them out from here.
final class SharedRing {
    let settings: EngineSettings
    let segments: [SharedMemory]

    /// The corresponding C function is `memfd_create` (one per segment), then `mmap(MAP_SHARED)`.
    init(settings: EngineSettings) throws {
        self.settings = settings
        segments = try (0..<settings.ringSize).map { i in
            try SharedMemory(name: "tiffshard-shard-\(i)", size: max(settings.slotBytes, 1))
        }
        // SharedMemory allocates every page with fallocate: the ring's memory is taken once, at start-up,
        // where a shortage is a clear error, instead of page by page as rows arrive (where a memory limit
        // would kill a worker with SIGBUS mid-run). Memory use is then constant from the first image on.
        // (Touching every page from here did the same at page-fault speed: 155 ms for a 192 MiB ring.)
    }

    /// Bytes per segment.
    var slotBytes: Int { max(settings.slotBytes, 1) }

    /// The bytes of `row` in segment `slot`.
    func row(_ row: Int, slot: Int) -> UnsafeRawBufferPointer {
        let size = settings.imageBytes
        return UnsafeRawBufferPointer(start: segments[slot].base.advanced(by: row * size), count: size)
    }
}
