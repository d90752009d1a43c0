import Foundation

/// A tiny uncompressed 8-bit grayscale TIFF encoder for end-to-end tests (no libtiff, no Python),
/// with deterministic content from a seed. Kernel tests use the libtiff-based writer for every layout.
public enum MiniTIFF {
    /// The bytes of a width x height gray8 little-endian TIFF, one strip.
    public static func encode(width: Int, height: Int, seed: UInt32) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        var state = seed &* 2_654_435_761 &+ 1
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_103_515_245 &+ 12345
                pixels[y * width + x] = UInt8(truncatingIfNeeded: (x * 255 / max(width, 1) + y) / 2 + Int(state >> 27))
            }
        }
        var out: [UInt8] = [0x49, 0x49, 42, 0]
        func u16(_ v: Int) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func u32(_ v: Int) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        let entries: [(tag: Int, type: Int, value: Int)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, pixels.count),
        ]
        let ifdOffset = 8
        let dataOffset = ifdOffset + 2 + entries.count * 12 + 4
        u32(ifdOffset)
        u16(entries.count)
        for e in entries {
            u16(e.tag); u16(e.type); u32(1)
            let value = e.tag == 273 ? dataOffset : e.value
            if e.type == 3 { u16(value); u16(0) } else { u32(value) }
        }
        u32(0)
        return out + pixels
    }

    /// Writes a TIFF at `path` (in place: create, write, close).
    public static func write(_ path: String, width: Int = 96, height: Int = 64, seed: UInt32 = 1) throws {
        try Data(encode(width: width, height: height, seed: seed)).write(to: URL(fileURLWithPath: path))
    }

    /// Writes a TIFF under a hidden temporary name beside `path`, then renames it into place.
    public static func writeAndRename(_ path: String, width: Int = 96, height: Int = 64, seed: UInt32 = 1) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).part").path
        try write(temp, width: width, height: height, seed: seed)
        guard rename(temp, path) == 0 else { throw POSIXError(.EIO) }
    }
}
