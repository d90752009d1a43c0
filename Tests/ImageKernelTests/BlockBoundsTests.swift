import CImageKernel
import TestSupport
import Testing

/// Bytes that are not a block's data are never decoded as pixels: sparse blocks (GDAL's SPARSE_OK),
/// blocks past the end of the file, and uncompressed blocks shorter than their rows are rejections,
/// as `cv::imread` rejects them. (A GDAL sparse tiled file once became a row of its own header bytes.)
@Suite struct BlockBoundsTests {
    /// A little-endian 8-bit gray 16x16 TIFF in two blocks (strips of 8 rows, or 16x8 tiles), whose
    /// second block has the given offset and byte count (nil: where its data is). All 256 bytes of pixel
    /// data are present after the IFD, so a reader that ignores the byte count would "succeed". (With a
    /// single uncompressed strip, libtiff replaces a bad byte count by the one the size implies and reads
    /// the data: that is libtiff's documented repair, cv::imread does the same, and so do we.)
    static func tiff(tiled: Bool, offset: UInt32?, byteCount: UInt32) -> [UInt8] {
        let dataOffset: UInt32 = 8 + 2 + 12 * 10 + 4 + 16
        let arrays: UInt32 = dataOffset - 16
        let offsets = [dataOffset, offset ?? dataOffset + 128]
        let counts = [UInt32(128), byteCount]
        var entries: [(tag: UInt16, type: UInt16, count: UInt32, value: UInt32)] = [
            (256, 3, 1, 16), (257, 3, 1, 16), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (277, 3, 1, 1),
        ]
        if tiled {
            entries += [(322, 3, 1, 16), (323, 3, 1, 8), (324, 4, 2, arrays), (325, 4, 2, arrays + 8)]
        } else {
            entries += [(273, 4, 2, arrays), (278, 3, 1, 8), (279, 4, 2, arrays + 8)]
        }
        var out: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { out += (0..<4).map { UInt8(v >> (8 * $0) & 0xff) } }
        u16(UInt16(entries.count))
        for e in entries.sorted(by: { $0.tag < $1.tag }) {
            u16(e.tag); u16(e.type); u32(e.count)
            if e.type == 3 { u16(UInt16(e.value)); u16(0) } else { u32(e.value) }
        }
        u32(0)
        out += [UInt8](repeating: 0, count: Int(arrays) - out.count)
        offsets.forEach(u32)
        counts.forEach(u32)
        precondition(out.count == Int(dataOffset))
        out += (0..<256).map { UInt8(($0 * 7) & 0xff) }
        return out
    }

    /// `imreadReadsForeignBytes`: Debian's cv::imread (libtiff 4.5 underneath) "decodes" this file from
    /// bytes outside the block (the header at offset 0, or whatever follows a short strip). That is the
    /// one place where we knowingly differ from it: the contract is never to return such pixels.
    func expectRejected(_ bytes: [UInt8], containing text: String, _ comment: Comment, imreadReadsForeignBytes: Bool = false) throws {
        let directory = try TemporaryDirectory("kernel")
        let path = try directory.write("block.tif", bytes: bytes)
        let outcome = Kernel.decode(path, width: 16, height: 16)
        #expect(outcome.status == TSK_DECODE_FAILED, comment)
        #expect(outcome.message.contains(text), "\(outcome.message)")
        #expect(outcome.pixels.allSatisfy { $0 == 0xA5 }, "the destination is untouched")
        #expect(Kernel.probe(path).status == TSK_DECODE_FAILED)
        let reference = Kernel.reference(path, width: 16, height: 16)
        #expect((reference.status == TSK_OK) == imreadReadsForeignBytes, "\(comment): \(reference.message)")
    }

    @Test func wellFormedBlocksDecode() throws {
        for tiled in [false, true] {
            let directory = try TemporaryDirectory("kernel")
            let path = try directory.write("ok.tif", bytes: Self.tiff(tiled: tiled, offset: nil, byteCount: 128))
            let outcome = Kernel.decode(path, width: 16, height: 16, TSK_INTER_NEAREST)
            #expect(outcome.status == TSK_OK, "\(outcome.message)")
            #expect(outcome.pixels == (0..<256).map { UInt8(($0 * 7) & 0xff) })
        }
    }

    @Test func sparseBlocksAreRejected() throws {
        for tiled in [false, true] {
            try expectRejected(Self.tiff(tiled: tiled, offset: 0, byteCount: 0), containing: "is sparse", "tiled \(tiled)")
            try expectRejected(
                Self.tiff(tiled: tiled, offset: 0, byteCount: 128), containing: "is sparse", "offset 0",
                imreadReadsForeignBytes: true)
            try expectRejected(Self.tiff(tiled: tiled, offset: nil, byteCount: 0), containing: "is sparse", "count 0")
        }
    }

    @Test func blocksPastTheEndOfTheFileAreRejected() throws {
        for tiled in [false, true] {
            try expectRejected(Self.tiff(tiled: tiled, offset: nil, byteCount: 200), containing: "past the end", "tiled \(tiled)")
            try expectRejected(Self.tiff(tiled: tiled, offset: 1 << 20, byteCount: 128), containing: "past the end", "far")
        }
    }

    @Test func shortUncompressedBlocksAreRejected() throws {
        for tiled in [false, true] {
            try expectRejected(
                Self.tiff(tiled: tiled, offset: nil, byteCount: 100), containing: "its rows need 128", "tiled \(tiled)",
                imreadReadsForeignBytes: !tiled)
        }
    }
}
