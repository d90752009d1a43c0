import CImageKernel
import TestSupport
import Testing

/// Every output mode gives exactly the contract's reference: `cv::imread` with the mode's flags,
/// BGR -> RGB, `convertTo` by value, then `cv::resize` placed by stretch, fit or crop.
@Suite struct OutputModeTests {
    static let dtypes = [TSK_DTYPE_UINT8, TSK_DTYPE_UINT16, TSK_DTYPE_FLOAT32]
    static let colors = [TSK_COLOR_GRAY, TSK_COLOR_RGB]
    static let resizes = [TSK_RESIZE_STRETCH, TSK_RESIZE_FIT, TSK_RESIZE_CROP]

    /// Layouts of our own writer (the real writers' corpus is RealWriterCorpusTests).
    static let kinds: [TIFFSpec] = [
        DirectDecodeTests.spec(), DirectDecodeTests.spec(8, 1, .lzw, predictor: 2),
        DirectDecodeTests.spec(16), DirectDecodeTests.spec(16, 1, .zstd, predictor: 2, bigEndian: true),
        DirectDecodeTests.spec(16, 1, .lzw, width: 192, tile: 64), DirectDecodeTests.spec(16, 1, tile: 32),
        DirectDecodeTests.spec(8, 3), DirectDecodeTests.spec(16, 3, .adobeDeflate, predictor: 2),
        DirectDecodeTests.spec(8, 4), DirectDecodeTests.spec(16, 4, alpha: .associated),
        DirectDecodeTests.spec(8, 3, planar: true), DirectDecodeTests.spec(16, 1, .lzw, rowsPerStrip: 7),
        DirectDecodeTests.spec(orientation: 3), DirectDecodeTests.spec(16, orientation: 6),
        TIFFSpec(width: 90, height: 61, minIsWhite: true), TIFFSpec(width: 90, height: 61, bitsPerSample: 16, minIsWhite: true),
        TIFFSpec(width: 90, height: 61, palette: true),
        TIFFSpec(width: 90, height: 61, bitsPerSample: 16, sampleFormat: 2),
        TIFFSpec(width: 90, height: 61, bitsPerSample: 32, sampleFormat: 3),
        TIFFSpec(width: 90, height: 61, bitsPerSample: 8, samplesPerPixel: 3, compression: .jpeg, ycbcr: true),
    ]

    @Test(arguments: kinds)
    func everyModeEqualsTheReference(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, spec, seed: 5)
        for dtype in Self.dtypes {
            for color in Self.colors {
                for resize in Self.resizes {
                    for interpolation in [TSK_INTER_LINEAR, TSK_INTER_AREA, TSK_INTER_NEAREST] {
                        for (width, height) in [(64, 48), (150, 90), (33, 77)] {
                            let output = tsk_output.mode(
                                width, height, dtype: dtype, color: color, resize: resize, interpolation: interpolation,
                                pad: 7)
                            let ours = Kernel.decode(path, output)
                            let reference = Kernel.reference(path, output)
                            let label = "\(spec.description): \(output.label)"
                            // Where cv::imread refuses, float32 decodes by value (checked against tifffile in
                            // BeyondOpenCVTests); every other mode must agree with it on refusing.
                            let beyond = dtype == TSK_DTYPE_FLOAT32 && reference.status != TSK_OK && ours.info.used_fallback == 1
                            #expect(ours.status == reference.status || beyond, "\(label): \(ours.message) / \(reference.message)")
                            guard ours.status == TSK_OK, reference.status == TSK_OK else { continue }
                            #expect(ours.bytes == reference.bytes, "\(label)")
                            #expect(ours.placementText == reference.placementText, "\(label)")
                        }
                    }
                }
            }
        }
    }

    /// Fit: s = min(W/w, H/h), sizes floor(x s + 0.5), centred at floor((W - nw) / 2); the pad value around.
    @Test func fitPlacesTheScaledPageOnAPaddedCanvas() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("wide.tif")
        try writeTIFF(path, TIFFSpec(width: 200, height: 50), seed: 3)
        let output = tsk_output.mode(64, 64, resize: TSK_RESIZE_FIT, pad: 9)
        let ours = Kernel.decode(path, output)
        #expect(ours.status == TSK_OK, "\(ours.message)")
        #expect(ours.placementText == "64x16 at 0,24")
        #expect(ours.bytes[0..<(24 * 64)].allSatisfy { $0 == 9 })
        #expect(ours.bytes[(40 * 64)...].allSatisfy { $0 == 9 })
        let stretched = Kernel.decode(path, width: 64, height: 16, TSK_INTER_LINEAR)
        #expect(Array(ours.bytes[(24 * 64)..<(40 * 64)]) == stretched.pixels, "the window is cv::resize to 64x16")
        // Odd remainders: 33 x 77 from 200 x 50 -> s = 0.165, 33 x 8 at (0, 34).
        #expect(Kernel.decode(path, tsk_output.mode(33, 77, resize: TSK_RESIZE_FIT)).placementText == "33x8 at 0,34")
        // A float pad value is kept exactly.
        let float = Kernel.decode(path, tsk_output.mode(64, 64, dtype: TSK_DTYPE_FLOAT32, resize: TSK_RESIZE_FIT, pad: -1.5))
        #expect(float.floats[0] == -1.5 && float.floats.last == -1.5)
    }

    /// Crop: s = max(W/w, H/h), sizes at least W x H, the centre window at floor((nw - W) / 2).
    @Test func cropTakesTheCentreOfTheCoveringResize() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("wide.tif")
        try writeTIFF(path, TIFFSpec(width: 200, height: 50), seed: 3)
        let ours = Kernel.decode(path, tsk_output.mode(64, 64, resize: TSK_RESIZE_CROP))
        #expect(ours.status == TSK_OK, "\(ours.message)")
        #expect(ours.placementText == "256x64 at -96,0")
        let full = Kernel.decode(path, width: 256, height: 64, TSK_INTER_LINEAR)
        let window = (0..<64).flatMap { y in full.pixels[(y * 256 + 96)..<(y * 256 + 160)] }
        #expect(ours.bytes == window)
    }

    /// convertTo by value: an 8-bit 200 stays 200 in uint16 and float32.
    @Test func wideDtypesKeepValues() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("gray.tif")
        try writeTIFF(path, TIFFSpec(width: 40, height: 30), seed: 8)
        let bytes = Kernel.decode(path, tsk_output.mode(40, 30)).bytes
        #expect(Kernel.decode(path, tsk_output.mode(40, 30, dtype: TSK_DTYPE_UINT16)).uint16s == bytes.map { UInt16($0) })
        #expect(Kernel.decode(path, tsk_output.mode(40, 30, dtype: TSK_DTYPE_FLOAT32)).floats == bytes.map { Float($0) })
        let wide = directory.file("wide.tif")
        try writeTIFF(wide, TIFFSpec(width: 40, height: 30, bitsPerSample: 16), seed: 8)
        let sixteen = Kernel.decode(wide, tsk_output.mode(40, 30, dtype: TSK_DTYPE_UINT16))
        #expect(sixteen.info.used_fallback == 0, "the direct route")
        #expect(Kernel.decode(wide, tsk_output.mode(40, 30, dtype: TSK_DTYPE_FLOAT32)).floats == sixteen.uint16s.map { Float($0) })
        #expect(Kernel.decode(wide, tsk_output.mode(40, 30)).bytes == sixteen.uint16s.map { UInt8($0 >> 8) })
    }

    /// uint16 cannot hold signed or float samples by value: rejected, naming the dtype that can.
    @Test func uint16RejectsSignedAndFloatSamples() throws {
        let directory = try TemporaryDirectory("kernel")
        for (bits, format) in [(UInt16(16), UInt8(2)), (32, 3)] {
            let path = directory.file("f\(bits).tif")
            try writeTIFF(path, TIFFSpec(width: 40, height: 30, bitsPerSample: bits, sampleFormat: format), seed: 2)
            let outcome = Kernel.decode(path, tsk_output.mode(20, 15, dtype: TSK_DTYPE_UINT16))
            #expect(outcome.status == TSK_UNSUPPORTED, "\(outcome.message)")
            #expect(outcome.message.contains("dtype float32"), "\(outcome.message)")
            #expect(Kernel.decode(path, tsk_output.mode(20, 15, dtype: TSK_DTYPE_FLOAT32)).status == TSK_OK)
        }
    }

    /// pages: all decodes page k of the main chain; pages: first is directory 0 and refuses other pages.
    @Test func pagesSelectDirectories() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("stack.tif")
        try writeTIFF(path, TIFFSpec(width: 50, height: 40, pages: 3), seed: 4)
        var seen: [[UInt8]] = []
        for page in UInt32(0)..<3 {
            let output = tsk_output.mode(25, 20, pages: TSK_PAGES_ALL)
            let ours = Kernel.decode(path, page: page, output)
            #expect(ours.status == TSK_OK, "\(ours.message)")
            #expect(ours.info.pages == 3 && ours.info.directory == page)
            #expect(ours.bytes == Kernel.reference(path, page: page, output).bytes, "page \(page)")
            seen.append(ours.bytes)
        }
        #expect(Set(seen).count == 3, "pages differ")
        #expect(Kernel.decode(path, page: 3, tsk_output.mode(25, 20, pages: TSK_PAGES_ALL)).status == TSK_DECODE_FAILED)
        #expect(Kernel.decode(path, page: 1, tsk_output.mode(25, 20)).status == TSK_INTERNAL)
        #expect(Kernel.decode(path, tsk_output.mode(25, 20)).bytes == seen[0])
    }
}
