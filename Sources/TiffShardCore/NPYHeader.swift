/// The header of a NumPy `.npy` v1.0 file holding a C-order shard: `(rows, height, width)` for gray rows or
/// `(rows, height, width, 3)` for RGB rows, of `|u1`, `<u2` or `<f4` (the `dtype` option).
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
    /// Sample type: the header's `descr`.
    public var dtype: OutputFormat.SampleType
    /// Gray (three axes) or RGB (a fourth axis of 3).
    public var color: OutputFormat.Color

    /// Alignment of the data start, as NumPy >= 1.21 writes it.
    public static let alignment = 64
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]

    public init(
        rows: Int, height: Int, width: Int, dtype: OutputFormat.SampleType = .uint8, color: OutputFormat.Color = .gray
    ) {
        self.rows = rows
        self.height = height
        self.width = width
        self.dtype = dtype
        self.color = color
    }

    /// The header of `rows` rows of `height` x `width` in `output`'s sample type and channels.
    public init(rows: Int, height: Int, width: Int, output: OutputFormat) {
        self.init(rows: rows, height: height, width: width, dtype: output.dtype, color: output.color)
    }

    /// The array's shape as NumPy prints it: `(N, H, W)` or `(N, H, W, 3)`.
    public var shape: [Int] {
        color == .gray ? [rows, height, width] : [rows, height, width, color.channels]
    }

    /// The Python dict literal NumPy parses.
    var dictionary: String {
        let axes = shape.map(String.init).joined(separator: ", ")
        return "{'descr': '\(dtype.npyDescriptor)', 'fortran_order': False, 'shape': (\(axes)), }"
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

    /// Bytes of pixel data that follow the header: rows x height x width x channels x sample size.
    public var dataByteCount: Int { rows * height * width * color.channels * dtype.size }

    /// Parses a header produced by `encoded()` (or by NumPy for the same dtypes and order): one of our three
    /// `descr`s, C order, three axes or four with a last axis of 3. Anything else is not a shard.
    public static func parse(_ bytes: [UInt8]) -> (header: NPYHeader, dataOffset: Int)? {
        guard bytes.count >= 10, Array(bytes[0..<6]) == Array(magic[0..<6]), bytes[6] == 1 else { return nil }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + length else { return nil }
        let text = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
        guard let dtype = OutputFormat.SampleType.allCases.first(where: { text.contains("'descr': '\($0.npyDescriptor)'") }),
            text.contains("'fortran_order': False"),
            let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")")
        else { return nil }
        let dims = text[text.index(after: open)..<close].split(separator: ",").compactMap {
            Int($0.trimmingSpaces())
        }
        let header: NPYHeader
        switch dims.count {
        case 3: header = NPYHeader(rows: dims[0], height: dims[1], width: dims[2], dtype: dtype, color: .gray)
        case 4 where dims[3] == OutputFormat.Color.rgb.channels:
            header = NPYHeader(rows: dims[0], height: dims[1], width: dims[2], dtype: dtype, color: .rgb)
        default: return nil
        }
        return (header, 10 + length)
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
