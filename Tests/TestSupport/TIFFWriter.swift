import CTestTIFF

/// A TIFF for `writeTIFF` to produce: mirrors `ttw_spec`; the defaults give a small 8-bit gray,
/// uncompressed, strip-organised, little-endian classic TIFF of one page.
public struct TIFFSpec: Sendable, Hashable, CustomStringConvertible {
    /// TIFF Compression tag values the writer (Debian's libtiff) can produce.
    public enum Compression: UInt16, Sendable, Hashable {
        case none = 1
        case ccittGroup4 = 4
        case lzw = 5
        case jpeg = 7
        case adobeDeflate = 8
        case packBits = 32773
        case pixarLog = 32909
        case deflate = 32946
        case lerc = 34887
        case lzma = 34925
        case zstd = 50000
        case webp = 50001
    }

    /// How a 2nd (gray) or 4th (RGB) sample is declared in ExtraSamples.
    public enum Alpha: UInt8, Sendable, Hashable {
        case unassociated = 0
        case associated = 1
        case unspecified = 2
        case undeclared = 3  // no ExtraSamples tag at all
    }

    public var width: UInt32
    public var height: UInt32
    public var bitsPerSample: UInt16
    public var samplesPerPixel: UInt16
    public var compression: Compression
    /// 1 none, 2 horizontal differencing.
    public var predictor: UInt16
    /// 0 = strips; else tiles of tileWidth x tileHeight (multiples of 16).
    public var tileWidth: UInt32
    public var tileHeight: UInt32
    /// 0 = libtiff's default (about 8 KiB per strip).
    public var rowsPerStrip: UInt32
    public var bigTIFF: Bool
    public var bigEndian: Bool
    public var planarSeparate: Bool
    /// Pages after the first hold different pixel values.
    public var pages: UInt16
    /// An 8-bit palette image.
    public var palette: Bool
    public var alpha: Alpha
    public var minIsWhite: Bool
    /// PHOTOMETRIC_YCBCR; only with `.jpeg` and 3 samples.
    public var ycbcr: Bool
    /// 0 or 1 unsigned, 2 signed, 3 IEEE float (with 32 bits).
    public var sampleFormat: UInt8
    /// 0 = no Orientation tag.
    public var orientation: UInt16
    /// 0 = 90.
    public var jpegQuality: UInt16

    /// Creates a spec; every parameter has the default described on the type.
    public init(
        width: UInt32 = 64, height: UInt32 = 48, bitsPerSample: UInt16 = 8, samplesPerPixel: UInt16 = 1,
        compression: Compression = .none, predictor: UInt16 = 1, tileWidth: UInt32 = 0, tileHeight: UInt32 = 0,
        rowsPerStrip: UInt32 = 0, bigTIFF: Bool = false, bigEndian: Bool = false, planarSeparate: Bool = false,
        pages: UInt16 = 1, palette: Bool = false, alpha: Alpha = .unassociated, minIsWhite: Bool = false,
        ycbcr: Bool = false, sampleFormat: UInt8 = 0, orientation: UInt16 = 0, jpegQuality: UInt16 = 0
    ) {
        self.width = width
        self.height = height
        self.bitsPerSample = bitsPerSample
        self.samplesPerPixel = samplesPerPixel
        self.compression = compression
        self.predictor = predictor
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.rowsPerStrip = rowsPerStrip
        self.bigTIFF = bigTIFF
        self.bigEndian = bigEndian
        self.planarSeparate = planarSeparate
        self.pages = pages
        self.palette = palette
        self.alpha = alpha
        self.minIsWhite = minIsWhite
        self.ycbcr = ycbcr
        self.sampleFormat = sampleFormat
        self.orientation = orientation
        self.jpegQuality = jpegQuality
    }

    /// A compact summary for test names, e.g. "203x157 16-bit x 3 lzw tiles 32x16 BE".
    public var description: String {
        var text = "\(width)x\(height) \(bitsPerSample)-bit x \(samplesPerPixel) \(compression)"
        if predictor > 1 { text += " predictor \(predictor)" }
        if tileWidth > 0 { text += " tiles \(tileWidth)x\(tileHeight)" }
        if rowsPerStrip > 0 { text += " rows/strip \(rowsPerStrip)" }
        if planarSeparate { text += " planar" }
        if bigTIFF { text += " BigTIFF" }
        if bigEndian { text += " BE" }
        if pages > 1 { text += " \(pages) pages" }
        if samplesPerPixel == 2 || samplesPerPixel == 4 { text += " alpha \(alpha)" }
        if palette { text += " palette" }
        if minIsWhite { text += " min-is-white" }
        if ycbcr { text += " YCbCr" }
        if sampleFormat > 1 { text += " format \(sampleFormat)" }
        if orientation > 0 { text += " orientation \(orientation)" }
        return text
    }

    var cValue: ttw_spec {
        var spec = ttw_spec()
        spec.width = width
        spec.height = height
        spec.bits_per_sample = bitsPerSample
        spec.samples_per_pixel = samplesPerPixel
        spec.compression = compression.rawValue
        spec.predictor = predictor
        spec.tile_width = tileWidth
        spec.tile_height = tileHeight
        spec.rows_per_strip = rowsPerStrip
        spec.big_tiff = bigTIFF ? 1 : 0
        spec.big_endian = bigEndian ? 1 : 0
        spec.planar_separate = planarSeparate ? 1 : 0
        spec.pages = pages
        spec.photometric_palette = palette ? 1 : 0
        spec.alpha_kind = alpha.rawValue
        spec.min_is_white = minIsWhite ? 1 : 0
        spec.ycbcr = ycbcr ? 1 : 0
        spec.sample_format = sampleFormat
        spec.orientation = orientation
        spec.jpeg_quality = jpegQuality
        return spec
    }
}

/// Why the test TIFF writer failed (libtiff's message or an invalid spec).
public struct TIFFWriterError: Error, CustomStringConvertible {
    /// The path that was being written.
    public var path: String
    /// The writer's explanation.
    public var message: String
    public var description: String { "cannot write TIFF \(path): \(message)" }
}

/// Writes `spec` to `path` with deterministic pixels (smooth gradients plus noise) derived from `seed`.
public func writeTIFF(_ path: String, _ spec: TIFFSpec, seed: UInt32) throws {
    var error = [CChar](repeating: 0, count: 512)
    var cSpec = spec.cValue
    let capacity = error.count
    let result = ttw_write(path, &cSpec, seed, &error, capacity)
    if result != 0 {
        let bytes = error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        throw TIFFWriterError(path: path, message: String(decoding: bytes, as: UTF8.self))
    }
}

/// Writes a ~40 KiB TIFF whose header declares `width` x `height` 8-bit gray pixels (a memory bomb).
public func writeLyingTIFF(_ path: String, width: UInt32, height: UInt32) throws {
    if ttw_write_lying_header(path, width, height) != 0 {
        throw TIFFWriterError(path: path, message: "ttw_write_lying_header failed")
    }
}
