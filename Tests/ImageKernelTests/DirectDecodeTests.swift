import CImageKernel
import TestSupport
import Testing

/// The direct libtiff path must produce exactly the bytes of cv::imread(IMREAD_GRAYSCALE) + cv::resize.
@Suite struct DirectDecodeTests {
    /// A 203x157 image (odd sizes: partial strips and tiles) with the given variations.
    static func spec(
        _ bits: UInt16 = 8, _ samples: UInt16 = 1, _ compression: TIFFSpec.Compression = .none,
        width: UInt32 = 203, predictor: UInt16 = 1, tile: UInt32 = 0, tileHeight: UInt32? = nil,
        rowsPerStrip: UInt32 = 0, bigTIFF: Bool = false, bigEndian: Bool = false, planar: Bool = false,
        pages: UInt16 = 1, alpha: TIFFSpec.Alpha = .unassociated, orientation: UInt16 = 0
    ) -> TIFFSpec {
        TIFFSpec(
            width: width, height: 157, bitsPerSample: bits, samplesPerPixel: samples, compression: compression,
            predictor: predictor, tileWidth: tile, tileHeight: tileHeight ?? tile, rowsPerStrip: rowsPerStrip,
            bigTIFF: bigTIFF, bigEndian: bigEndian, planarSeparate: planar, pages: pages, alpha: alpha,
            orientation: orientation)
    }

    /// Every layout the direct path claims, one variation at a time.
    static let kinds: [TIFFSpec] = [
        // 8-bit gray: every codec, predictor, strip shapes
        spec(), spec(8, 1, .lzw), spec(8, 1, .adobeDeflate), spec(8, 1, .deflate), spec(8, 1, .packBits),
        spec(8, 1, .zstd), spec(8, 1, .lzma), spec(8, 1, .lerc), spec(8, 1, .lzw, predictor: 2),
        spec(8, 1, .adobeDeflate, predictor: 2), spec(rowsPerStrip: 157), spec(8, 1, .lzw, rowsPerStrip: 7),
        spec(orientation: 1),
        // 16-bit gray
        spec(16), spec(16, 1, .lzw, predictor: 2), spec(16, bigEndian: true),
        spec(16, 1, .zstd, predictor: 2, bigEndian: true),
        // RGB and RGBA, 8 and 16 bits, every alpha declaration
        spec(8, 3), spec(8, 3, .lzw, predictor: 2), spec(8, 3, .webp), spec(8, 3, bigEndian: true),
        spec(16, 3), spec(16, 3, .adobeDeflate, predictor: 2), spec(16, 3, bigEndian: true),
        spec(8, 4), spec(8, 4, alpha: .associated), spec(8, 4, alpha: .unspecified), spec(8, 4, alpha: .undeclared),
        spec(8, 4, .webp), spec(16, 4), spec(16, 4, alpha: .associated),
        // tiles (16-bit gray only when the width is a multiple of the tile width, see FallbackDecodeTests)
        spec(tile: 32, tileHeight: 16), spec(16, 1, .lzw, width: 192, tile: 64),
        spec(8, 3, .packBits, tile: 48, tileHeight: 32),
        spec(16, 4, tile: 16),
        // separate planes, strips and tiles
        spec(8, 3, planar: true), spec(16, 3, .lzw, planar: true), spec(8, 4, planar: true),
        spec(8, 4, planar: true, alpha: .associated), spec(16, 4, .deflate, tile: 32, planar: true),
        spec(8, 3, tile: 64, tileHeight: 48, planar: true),
        // BigTIFF, byte order, several pages
        spec(bigTIFF: true), spec(16, 3, .lzw, bigTIFF: true, bigEndian: true),
        spec(8, 1, .lzw, tile: 32, bigTIFF: true),
        spec(pages: 3), spec(8, 3, .lzw, bigEndian: true, pages: 2),
    ]

    /// Non-integer downscale, upscale, identity.
    static let sizes = [(96, 71), (317, 233), (203, 157)]

    @Test(arguments: kinds)
    func decodesBitExactlyLikeOpenCV(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, spec, seed: 11)
        for interpolation in Kernel.interpolations {
            for (width, height) in Self.sizes {
                let ours = Kernel.decode(path, width: width, height: height, interpolation)
                let reference = Kernel.reference(path, width: width, height: height, interpolation)
                let label = "interpolation \(interpolation.rawValue), \(width)x\(height)"
                #expect(ours.status == TSK_OK, "\(label): \(ours.message)")
                #expect(reference.status == TSK_OK, "\(label): \(reference.message)")
                #expect(ours.info.used_fallback == 0, "\(label)")
                #expect(ours.differences(from: reference) == 0, "\(label)")
                #expect(Set(ours.pixels).count > 16, "\(label): image should not be flat")
            }
        }
        let info = Kernel.decode(path, width: 50, height: 40).info
        #expect(info.width == spec.width && info.height == spec.height)
        #expect(info.bits_per_sample == spec.bitsPerSample && info.samples_per_pixel == spec.samplesPerPixel)
        #expect(info.compression == spec.compression.rawValue)
        #expect(info.pages == UInt32(spec.pages))
        #expect(info.big_tiff == (spec.bigTIFF ? 1 : 0))
    }

    /// The per-thread scratch grows and is reused: alternating sizes and kinds stay exact.
    @Test func alternatingImagesReuseScratchExactly() throws {
        let directory = try TemporaryDirectory("kernel")
        let specs = [
            TIFFSpec(width: 640, height: 480, bitsPerSample: 16, samplesPerPixel: 4, compression: .lzw),
            TIFFSpec(width: 33, height: 17),
            TIFFSpec(width: 300, height: 200, samplesPerPixel: 3, tileWidth: 64, tileHeight: 64),
        ]
        var paths: [String] = []
        for (index, spec) in specs.enumerated() {
            paths.append(directory.file("\(index).tif"))
            try writeTIFF(paths[index], spec, seed: UInt32(index))
        }
        for path in paths + paths.reversed() + paths {
            let ours = Kernel.decode(path, width: 64, height: 48, TSK_INTER_LINEAR)
            let reference = Kernel.reference(path, width: 64, height: 48, TSK_INTER_LINEAR)
            #expect(ours.status == TSK_OK, "\(ours.message)")
            #expect(ours.differences(from: reference) == 0)
        }
    }
}
