/// The header of a NumPy `.npy` v1.0 file holding a C-order `(rows, height, width)` array of `|u1`.
///
/// The header is padded with spaces and ends in `\n` so that the data starts at a multiple of 64 bytes,
/// which keeps `np.load(..., mmap_mode='r')` rows aligned. Format: numpy/lib/format.py.
public struct NPYHeader: Equatable, Sendable {
    /// Number of images (first axis).
    public var rows: Int
    /// Image height in pixels (second axis).
    public var height: Int
    /// Image width in pixels (third axis).
    public var width: Int

    /// Alignment of the data start, as NumPy >= 1.21 writes it.
    public static let alignment = 64
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]

    public init(rows: Int, height: Int, width: Int) {
        self.rows = rows
        self.height = height
        self.width = width
    }

    /// The Python dict literal NumPy parses.
    var dictionary: String {
        "{'descr': '|u1', 'fortran_order': False, 'shape': (\(rows), \(height), \(width)), }"
    }

    /// The complete header: magic, version 1.0, little-endian length, padded dict, newline.
    public func encoded() -> [UInt8] {
        let dict = Array(dictionary.utf8)
        let unpadded = Self.magic.count + 2 + dict.count + 1
        let total = (unpadded + Self.alignment - 1) / Self.alignment * Self.alignment
        let headerLength = total - Self.magic.count - 2
        precondition(headerLength <= Int(UInt16.max), "NPY v1.0 header too long")
        var bytes = Self.magic
        bytes.append(UInt8(headerLength & 0xff))
        bytes.append(UInt8(headerLength >> 8))
        bytes += dict
        bytes += [UInt8](repeating: 0x20, count: total - unpadded)
        bytes.append(0x0a)
        return bytes
    }

    /// Bytes of pixel data that follow the header.
    public var dataByteCount: Int { rows * height * width }

    /// Parses a header produced by `encoded()` (or by NumPy for the same dtype and order).
    public static func parse(_ bytes: [UInt8]) -> (header: NPYHeader, dataOffset: Int)? {
        guard bytes.count >= 10, Array(bytes[0..<6]) == Array(magic[0..<6]), bytes[6] == 1 else { return nil }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + length else { return nil }
        let text = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
        guard text.contains("'descr': '|u1'"), text.contains("'fortran_order': False"),
            let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")")
        else { return nil }
        let dims = text[text.index(after: open)..<close].split(separator: ",").compactMap {
            Int($0.trimmingSpaces())
        }
        guard dims.count == 3 else { return nil }
        return (NPYHeader(rows: dims[0], height: dims[1], width: dims[2]), 10 + length)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
