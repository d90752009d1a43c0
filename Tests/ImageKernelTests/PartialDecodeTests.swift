import CImageKernel
import TestSupport
import Testing

/// Decoding only the rows `cv::resize` reads (nearest and linear) changes nothing: every layout, size,
/// interpolation and placement gives the bytes of the full decode (cv::imread). Before each decode, an
/// image of the same size with other pixels is decoded on the same thread, so a row wrongly left out would
/// show its stale neighbour's pixels instead of passing unnoticed.
@Suite struct PartialDecodeTests {
    static let layouts: [TIFFSpec] = [
        TIFFSpec(width: 509, height: 517, rowsPerStrip: 1),
        TIFFSpec(width: 509, height: 517, rowsPerStrip: 8),
        TIFFSpec(width: 509, height: 517, rowsPerStrip: 3),
        TIFFSpec(width: 509, height: 517, compression: .lzw, rowsPerStrip: 2),
        TIFFSpec(width: 509, height: 517, compression: .adobeDeflate, predictor: 2, rowsPerStrip: 5),
        TIFFSpec(width: 512, height: 512, tileWidth: 16, tileHeight: 16),
        TIFFSpec(width: 509, height: 517, bitsPerSample: 16, rowsPerStrip: 4),
        TIFFSpec(width: 509, height: 517, bitsPerSample: 16, compression: .zstd, rowsPerStrip: 1, bigEndian: true),
        TIFFSpec(width: 509, height: 517, samplesPerPixel: 3, rowsPerStrip: 2),
        TIFFSpec(width: 509, height: 517, samplesPerPixel: 3, rowsPerStrip: 2, planarSeparate: true),
    ]
    /// Strong and mild downscales, an exact 2x (OpenCV's area switch), an 8x, upscales, odd sizes.
    static let sizes = [(64, 64), (61, 37), (255, 258), (256, 256), (500, 16), (7, 300), (1, 1), (600, 700)]

    @Test(arguments: layouts)
    func partialDecodesEqualTheFullDecode(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("partial")
        let path = directory.file("image.tif")
        let other = directory.file("other.tif")
        try writeTIFF(path, spec, seed: 21)
        try writeTIFF(other, spec, seed: 99)
        let modes: [(tsk_dtype, tsk_color)] = [(TSK_DTYPE_UINT8, TSK_COLOR_GRAY), (TSK_DTYPE_FLOAT32, TSK_COLOR_GRAY),
                                               (TSK_DTYPE_UINT8, TSK_COLOR_RGB)]
        for interpolation in [TSK_INTER_NEAREST, TSK_INTER_LINEAR] {
            for (width, height) in Self.sizes {
                for resize in [TSK_RESIZE_STRETCH, TSK_RESIZE_FIT, TSK_RESIZE_CROP] {
                    for (dtype, color) in modes {
                        let output = tsk_output.mode(
                            width, height, dtype: dtype, color: color, resize: resize, interpolation: interpolation)
                        _ = Kernel.decode(other, output)  // leaves other pixels in this thread's scratch
                        let ours = Kernel.decode(path, output)
                        let reference = Kernel.reference(path, output)
                        let label = "\(spec.description): \(output.label)"
                        #expect(ours.status == TSK_OK && reference.status == TSK_OK, "\(label): \(ours.message)")
                        let same = ours.bytes == reference.bytes
                        #expect(same, "\(label)")
                    }
                }
                // The legacy entry point (tsk_decode_resize) too.
                _ = Kernel.decode(other, width: width, height: height, interpolation)
                let legacy = Kernel.decode(path, width: width, height: height, interpolation)
                #expect(legacy.pixels == Kernel.reference(path, width: width, height: height, interpolation).pixels)
            }
        }
    }
}

/// Uncompressed rows are copied out of a mapping of the file: a file that shrinks meanwhile raises SIGBUS,
/// which the kernel's guard turns into a failed decode (reported as a changed file) instead of killing the
/// worker.
@Test func aMappedFileShrinkingDuringTheCopyIsAFailureNotACrash() throws {
    let directory = try TemporaryDirectory("mapped")
    tsk_init()
    #expect(tsk_selftest_mapped_copy_guard(directory.file("shrinking")) == 1)
    // And again: the guard is re-armed after it fired.
    #expect(tsk_selftest_mapped_copy_guard(directory.file("shrinking")) == 1)
}
