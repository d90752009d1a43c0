import CImageKernel
import Foundation
import TestSupport
import Testing

/// Hostile or broken inputs end in a status and a reason, never a crash or a huge allocation.
@Suite struct BadInputTests {
    /// A valid 1x1 gray PNG: cv::imread would decode it whatever its name.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00,
        0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0xDA, 0x45, 0x08,
        0x3B, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    @Test func zeroByteFileIsNotTIFF() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = try directory.write("empty.tif", bytes: [])
        let outcome = Kernel.decode(path, width: 8, height: 8)
        #expect(outcome.status == TSK_NOT_TIFF)
        #expect(outcome.message == "empty file")
    }

    @Test func randomBytesAreNotTIFF() throws {
        let directory = try TemporaryDirectory("kernel")
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = 0x17  // neither "I" nor "M"
        let path = try directory.write("noise.tif", bytes: bytes)
        let outcome = Kernel.decode(path, width: 8, height: 8)
        #expect(outcome.status == TSK_NOT_TIFF)
        #expect(outcome.message == "not a TIFF (no TIFF signature)")
    }

    @Test func pngNamedTifIsNotTIFF() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = try directory.write("picture.tif", bytes: Self.png)
        #expect(Kernel.reference(path, width: 1, height: 1).status == TSK_OK)  // imread goes by content
        let outcome = Kernel.decode(path, width: 1, height: 1)
        #expect(outcome.status == TSK_NOT_TIFF)
        #expect(Kernel.probe(path).status == TSK_NOT_TIFF)
    }

    @Test func signatureWithoutDirectoryFailsToDecode() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = try directory.write("header.tif", bytes: [0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0x00, 0x00, 1, 2])
        let outcome = Kernel.decode(path, width: 8, height: 8)
        #expect(outcome.status == TSK_DECODE_FAILED)
        #expect(!outcome.message.isEmpty)
    }

    @Test func truncatedLZWFileFailsToDecode() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("whole.tif")
        try writeTIFF(path, TIFFSpec(width: 256, height: 256, compression: .lzw), seed: 3)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let half = try directory.write("half.tif", bytes: Array(bytes.prefix(bytes.count / 2)))
        let outcome = Kernel.decode(half, width: 64, height: 64)
        #expect(outcome.status == TSK_DECODE_FAILED)
        #expect(outcome.message.contains("libtiff") || outcome.message.contains("TIFF"), "\(outcome.message)")
    }

    /// The directory is intact but the strip holds fewer bytes than the image needs.
    @Test func shortStripDataFailsToDecode() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("short.tif")
        try writeLyingTIFF(path, width: 400, height: 300)  // needs 120000 bytes, holds 40960
        let outcome = Kernel.decode(path, width: 40, height: 30)
        #expect(outcome.status == TSK_DECODE_FAILED, "\(outcome.message)")
        #expect(outcome.message.contains("ends at byte 120128, past the end of the file (41088 bytes)"), "\(outcome.message)")
        #expect(outcome.info.used_fallback == 0)
    }

    @Test func lyingHeaderIsTooLargeBeforeDecoding() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("bomb.tif")
        try writeLyingTIFF(path, width: 100_000, height: 100_000)
        let outcome = Kernel.decode(path, width: 64, height: 64)
        #expect(outcome.status == TSK_TOO_LARGE)
        #expect(outcome.message == "declares 100000x100000 pixels, limit is 1073741824")
        #expect(outcome.info.width == 100_000 && outcome.info.height == 100_000)
        let probe = Kernel.probe(path)
        #expect(probe.status == TSK_TOO_LARGE)
    }

    @Test func pixelLimitAppliesToGenuineFiles() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, TIFFSpec(width: 100, height: 100), seed: 1)
        #expect(Kernel.decode(path, width: 10, height: 10, maxPixels: 9_999).status == TSK_TOO_LARGE)
        #expect(Kernel.decode(path, width: 10, height: 10, maxPixels: 10_000).status == TSK_OK)
        #expect(Kernel.decode(path, width: 10, height: 10, maxPixels: 0).status == TSK_OK)
    }

    /// Regression inputs from the fuzzer: tiles whose byte count times the number of separate planes
    /// wraps around (to 0, or under the memory budget). They once made libtiff decode into a null or
    /// too-small scratch buffer; now they are rejected before anything is decoded.
    @Test(arguments: ["regress-tile-bytes-times-4-planes-wraps-to-0.tif", "regress-tile-bytes-times-3-planes-wraps-under-budget.tif"])
    func wrappedTileSizesAreTooLarge(_ name: String) throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/seeds")
        let outcome = Kernel.decode(seeds.appendingPathComponent(name).path, width: 16, height: 16, maxPixels: 1 << 22)
        #expect(outcome.status == TSK_TOO_LARGE, "\(outcome.message)")
        #expect(!outcome.message.isEmpty)
    }

    /// Regression inputs from the fuzzer: tiny stripped images declaring millions of rows per strip, for
    /// which cv::imread reserves 4 x width x rows-per-strip bytes (640 MiB for 20x13, 3 GiB for 96x13).
    /// Over the allocation budget of the pixel limit they are refused before the fallback is asked.
    @Test(arguments: ["regress-imread-rows-per-strip-reserves-3gib.tif", "fallback-imread-reserves-640mib-for-20x13.tif"])
    func rowsPerStripPastTheHeightOverTheBudgetAreTooLarge(_ name: String) throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/seeds")
        let outcome = Kernel.decode(seeds.appendingPathComponent(name).path, width: 16, height: 16, maxPixels: 1 << 22)
        #expect(outcome.status == TSK_TOO_LARGE, "\(outcome.message)")
        #expect(outcome.message.contains("rows per strip"), "\(outcome.message)")
    }

    @Test func directoryIsOpenFailure() throws {
        let directory = try TemporaryDirectory("kernel")
        let outcome = Kernel.decode(directory.path, width: 8, height: 8)
        #expect(outcome.status == TSK_OPEN_FAILED)
        #expect(outcome.message.contains("directory"), "\(outcome.message)")
    }

    @Test func missingFileIsOpenFailure() throws {
        let directory = try TemporaryDirectory("kernel")
        let outcome = Kernel.decode(directory.file("absent.tif"), width: 8, height: 8)
        #expect(outcome.status == TSK_OPEN_FAILED)
        #expect(outcome.message.contains("No such file"), "\(outcome.message)")
    }

    @Test func invalidArgumentsAreRejected() throws {
        let directory = try TemporaryDirectory("kernel")
        let path = directory.file("image.tif")
        try writeTIFF(path, TIFFSpec(), seed: 1)
        #expect(Kernel.decode(path, width: 0, height: 8).status == TSK_INTERNAL)
        #expect(Kernel.decode(path, width: 8, height: 8, tsk_interpolation(rawValue: 99)).status == TSK_INTERNAL)
        #expect(Kernel.reference(path, width: 8, height: -1).status == TSK_INTERNAL)
    }
}
