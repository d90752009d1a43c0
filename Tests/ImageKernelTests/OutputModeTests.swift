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

    /// The direct routes (used_fallback 0) of every layout the direct gray path reads, in every wide or
    /// colour mode, against cv::imread.
    @Test(arguments: DirectDecodeTests.kinds)
    func directRoutesEqualTheReference(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, spec, seed: 13)
        for dtype in Self.dtypes {
            for color in Self.colors where dtype != TSK_DTYPE_UINT8 || color != TSK_COLOR_GRAY {
                for (width, height) in [(96, 71), (317, 233)] {
                    let output = tsk_output.mode(width, height, dtype: dtype, color: color, interpolation: TSK_INTER_AREA)
                    let ours = Kernel.decode(path, output)
                    let label = "\(spec.description): \(output.label)"
                    if spec.planarSeparate && spec.bitsPerSample > 8 && dtype != TSK_DTYPE_UINT8 {
                        continue  // OpenCV misreads these (BeyondOpenCVTests)
                    }
                    let direct = color == TSK_COLOR_RGB || spec.samplesPerPixel == 1
                    #expect(!direct || ours.info.used_fallback == 0, "\(label): a direct route, no cv::imread")
                    let reference = Kernel.reference(path, output)
                    #expect(ours.status == TSK_OK && reference.status == TSK_OK, "\(label): \(ours.message) / \(reference.message)")
                    #expect(ours.bytes == reference.bytes, "\(label) (direct: \(ours.info.used_fallback == 0))")
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

    /// A reduced-resolution image (NewSubfileType bit 0: an overview, a pyramid level, a thumbnail) is
    /// not a page: pages are directories 0 and 2 here, and page 1 is directory 2.
    @Test func pagesSkipReducedResolutionImages() throws {
        let directory = try TemporaryDirectory("kernel")
        _ = try CommandRunner.python(#"""
import sys, numpy as np, tifffile
rng = np.random.default_rng(2)
with tifffile.TiffWriter(sys.argv[1] + '/pyramid.tif') as t:
    t.write((rng.random((40, 50)) * 255).astype(np.uint8))
    t.write((rng.random((20, 25)) * 255).astype(np.uint8), subfiletype=1)
    t.write((rng.random((40, 50)) * 255).astype(np.uint8))
"""#, [directory.path])
        let path = directory.file("pyramid.tif")
        let output = tsk_output.mode(50, 40, pages: TSK_PAGES_ALL, interpolation: TSK_INTER_NEAREST)
        let second = Kernel.decode(path, page: 1, output)
        #expect(second.status == TSK_OK, "\(second.message)")
        #expect(second.info.pages == 2 && second.info.directory == 2)
        #expect(second.info.width == 50, "the full-size image, not the 25x20 overview")
        #expect(second.bytes == Kernel.reference(path, page: 1, output).bytes)
        #expect(Kernel.decode(path, page: 2, output).status == TSK_DECODE_FAILED)
        #expect(Kernel.decode(path, tsk_output.mode(50, 40)).info.pages == 2, "pages: first reports the same count")
    }

    /// GDAL's NBITS=12: cv::imread(IMREAD_ANYDEPTH) returns the samples left-aligned (x16); we keep that.
    @Test func twelveBitSamplesComeBackLeftAligned() throws {
        let directory = try TemporaryDirectory("kernel")
        _ = try CommandRunner.python(#"""
import sys, numpy as np, tifffile
a = (np.arange(40 * 50).reshape(40, 50) * 2) % 4096
tifffile.imwrite(sys.argv[1] + '/source.tif', a.astype(np.uint16))
"""#, [directory.path])
        let result = try CommandRunner.run(
            "/usr/bin/gdal_translate", ["-q", "-co", "NBITS=12", directory.file("source.tif"), directory.file("twelve.tif")])
        #expect(result.status == 0, "\(result.standardError)")
        let output = tsk_output.mode(50, 40, dtype: TSK_DTYPE_UINT16)
        let ours = Kernel.decode(directory.file("twelve.tif"), output)
        #expect(ours.status == TSK_OK && ours.info.bits_per_sample == 12, "\(ours.message)")
        let expected: [UInt16] = (0..<(40 * 50)).map { (i: Int) -> UInt16 in UInt16(i * 2 % 4096 * 16) }
        #expect(ours.uint16s == expected)
        #expect(ours.bytes == Kernel.reference(directory.file("twelve.tif"), output).bytes)
    }

    /// 16-bit min-is-white: uint8 is inverted (libtiff's RGBA reader), uint16 keeps the stored values
    /// (OpenCV 4.6's 16-bit path ignores Photometric). The contract follows OpenCV; this pins it.
    @Test func sixteenBitMinIsWhiteKeepsStoredValuesInUint16() throws {
        let directory = try TemporaryDirectory("kernel")
        _ = try CommandRunner.python(#"""
import sys, numpy as np, tifffile
a = (np.arange(40 * 50).reshape(40, 50) * 13 % 65536).astype(np.uint16)
tifffile.imwrite(sys.argv[1] + '/white.tif', a, photometric='miniswhite')
"""#, [directory.path])
        let path = directory.file("white.tif")
        let stored: [UInt16] = (0..<(40 * 50)).map { (i: Int) -> UInt16 in UInt16(i * 13 % 65536) }
        #expect(Kernel.decode(path, tsk_output.mode(50, 40, dtype: TSK_DTYPE_UINT16)).uint16s == stored)
        let inverted: [UInt8] = stored.map { (v: UInt16) -> UInt8 in 255 - UInt8(v >> 8) }
        #expect(Kernel.decode(path, tsk_output.mode(50, 40)).bytes == inverted)
    }
}
