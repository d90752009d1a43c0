import CImageKernel
import TestSupport
import Testing

/// `tsk_probe` reads the header of page 0 only.
@Suite struct ProbeTests {
    @Test func probeReportsTheLayoutOfPageZero() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        let spec = TIFFSpec(
            width: 321, height: 123, bitsPerSample: 16, samplesPerPixel: 3, compression: .zstd, bigTIFF: true,
            bigEndian: true, pages: 4)
        try writeTIFF(path, spec, seed: 9)
        let outcome = Kernel.probe(path)
        #expect(outcome.status == TSK_OK, "\(outcome.message)")
        #expect(outcome.message.isEmpty)
        let info = outcome.info
        #expect(info.width == 321 && info.height == 123)
        #expect(info.bits_per_sample == 16 && info.samples_per_pixel == 3)
        #expect(info.compression == 50000 && info.pages == 4 && info.big_tiff == 1 && info.used_fallback == 0)
    }

    @Test func probeFlagsFallbackLayouts() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("palette.tif")
        try writeTIFF(path, TIFFSpec(palette: true), seed: 9)
        let outcome = Kernel.probe(path)
        #expect(outcome.status == TSK_OK)
        #expect(outcome.info.used_fallback == 1)
    }

    @Test func probeRejectsNonTIFF() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = try directory.write("text.tif", bytes: Array("hello, world".utf8))
        #expect(Kernel.probe(path).status == TSK_NOT_TIFF)
    }
}
