import CImageKernel
import TestSupport
import Testing

/// Layouts the direct path leaves to cv::imread: same bytes as the reference, flagged as fallback.
@Suite struct FallbackDecodeTests {
    static let kinds: [TIFFSpec] = [
        TIFFSpec(width: 203, height: 157, palette: true),
        TIFFSpec(width: 203, height: 157, bitsPerSample: 1),
        TIFFSpec(width: 203, height: 157, bitsPerSample: 1, compression: .ccittGroup4),
        TIFFSpec(width: 203, height: 157, minIsWhite: true),
        TIFFSpec(width: 203, height: 157, compression: .jpeg),
        TIFFSpec(width: 203, height: 157, samplesPerPixel: 3, compression: .jpeg, ycbcr: true),
        TIFFSpec(width: 203, height: 157, samplesPerPixel: 3, compression: .jpeg),
        TIFFSpec(width: 203, height: 157, samplesPerPixel: 2),
        TIFFSpec(width: 203, height: 157, orientation: 3),
        TIFFSpec(width: 203, height: 157, samplesPerPixel: 3, orientation: 6),
        TIFFSpec(width: 203, height: 157, bitsPerSample: 16, sampleFormat: 2),
        TIFFSpec(width: 203, height: 157, sampleFormat: 2),
        TIFFSpec(width: 203, height: 157, compression: .pixarLog),
        // 16-bit gray tiles clipped at the right edge: libtiff 4.5's put16bitbwtile skips bytes where it
        // should skip samples, so imread's output there differs from the true pixels; imread decides.
        TIFFSpec(width: 203, height: 157, bitsPerSample: 16, compression: .lzw, tileWidth: 64, tileHeight: 64),
    ]

    @Test(arguments: kinds)
    func fallbackMatchesOpenCVExactly(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, spec, seed: 5)
        for interpolation in [TSK_INTER_LINEAR, TSK_INTER_AREA, TSK_INTER_LANCZOS] {
            for (width, height) in [(96, 71), (317, 233)] {
                let ours = Kernel.decode(path, width: width, height: height, interpolation)
                let reference = Kernel.reference(path, width: width, height: height, interpolation)
                #expect(ours.status == TSK_OK, "\(ours.message)")
                #expect(reference.status == TSK_OK, "\(reference.message)")
                #expect(ours.info.used_fallback == 1)
                #expect(ours.differences(from: reference) == 0)
            }
        }
        #expect(Kernel.probe(path).info.used_fallback == 1)
    }

    /// Float and 32-bit integer samples: TIFFRGBAImage (what imread uses for 8-bit output) refuses
    /// them, so the kernel reports TSK_UNSUPPORTED with libtiff's reason and does not call imread.
    @Test(arguments: [
        TIFFSpec(width: 40, height: 30, bitsPerSample: 32, sampleFormat: 3),
        TIFFSpec(width: 40, height: 30, bitsPerSample: 32),
    ])
    func layoutsNobodyDecodesAreUnsupported(spec: TIFFSpec) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, spec, seed: 5)
        let ours = Kernel.decode(path, width: 20, height: 15)
        #expect(ours.status == TSK_UNSUPPORTED)
        #expect(ours.message.contains("32-bit"), "\(ours.message)")
        #expect(ours.info.used_fallback == 1)
        #expect(Kernel.probe(path).status == TSK_UNSUPPORTED)
    }
}
