import Foundation
import Glibc
import Testing
import TestSupport

/// `tiffshard convert` over folders of hostile and awkward files: each bad one is rejected with its
/// reason in OUT/rejected.jsonl, nothing crashes or hangs, and the good files beside them are converted.
@Suite(.serialized)
struct ConvertBadInputTests {
    @Test func everyBadInputIsRejectedWithItsReasonAndItsGoodNeighboursAreConverted() throws {
        let h = try ConvertHarness("badinputs")
        let good = ["a-good.tif", "m-good.tif", "z-good.tif"]
        try h.writeGood(good)
        let src = h.source
        _ = try CommandRunner.python("""
            import os, sys, numpy as np, tifffile, cv2
            d = sys.argv[1]
            rng = np.random.default_rng(7)
            tifffile.imwrite(os.path.join(d, 'lzw.tmp'), rng.integers(0, 255, (200, 300), dtype=np.uint8), compression='lzw')
            data = open(os.path.join(d, 'lzw.tmp'), 'rb').read()
            open(os.path.join(d, 'truncated.tif'), 'wb').write(data[:len(data) // 2])
            os.remove(os.path.join(d, 'lzw.tmp'))
            ok, png = cv2.imencode('.png', rng.integers(0, 255, (20, 20), dtype=np.uint8))
            open(os.path.join(d, 'png.tif'), 'wb').write(png.tobytes())
            open(os.path.join(d, 'random.tif'), 'wb').write(b'\\0' + rng.bytes(4095))
            """, [src])
        try Data().write(to: URL(fileURLWithPath: src + "/empty.tif"))
        try Data("II*\0".utf8).write(to: URL(fileURLWithPath: src + "/signature-only.tif"))
        try Data(Self.hugeHeader(width: 100_000, height: 100_000)).write(to: URL(fileURLWithPath: src + "/huge.tif"))
        try FileManager.default.createDirectory(atPath: src + "/folder.tif", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: src + "/dangling.tif", withDestinationPath: h.root("nowhere.tif"))
        #expect(mkfifo(src + "/f.tif", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: src + "/fifo-link.tif", withDestinationPath: src + "/f.tif")

        // A FIFO opened for reading would block forever: the timeout turns a hang into a failure.
        let run = try h.convert(timeout: 60)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!run.signaled)
        let report = try h.check()
        #expect(report.sources == good)
        #expect(report.structure == [])
        #expect(report.pixels == [])
        let reasons = report.reasons
        #expect(report.rejected.count == reasons.count, "one record per file: \(report.rejected)")
        let expected: [String: String] = [
            "empty.tif": "not a TIFF",
            "random.tif": "not a TIFF",
            "png.tif": "not a TIFF",
            "truncated.tif": "decode failed",
            "huge.tif": "too large",
            "folder.tif": "not a regular file: directory",
            "dangling.tif": "symlink: dangling",
            "f.tif": "not a regular file: FIFO",
            "fifo-link.tif": "not a regular file: symlink to FIFO",
        ]
        for (source, prefix) in expected.sorted(by: { $0.key < $1.key }) {
            let reason = reasons[source]
            #expect(reason?.hasPrefix(prefix) == true, "\(source): expected '\(prefix)...', got \(reason ?? "no record")")
        }
        // Its category is the kernel's business; that it is rejected, with a reason, is ours.
        #expect(reasons["signature-only.tif"]?.isEmpty == false)
        #expect(Set(reasons.keys) == Set(expected.keys).union(["signature-only.tif"]))
        #expect(ConvertHarness.lastLine(run.standardError).contains("rejected 10 ("))
    }

    @Test func awkwardButValidNamesAreConvertedUnderTheirExactNames() throws {
        let h = try ConvertHarness("names")
        let names = [
            "with space.tif", "new\nline.tif", "ünïcødé-画像.tif", "quote\"back\\slash.tif", "-leading-dash.tif",
            "UPPER.TIFF", "tab\there.tif", "emoji-🦀.tif",
        ]
        try h.writeGood(names)
        try MiniTIFF.write(h.root("outside.tif"), seed: 99)
        try FileManager.default.createSymbolicLink(atPath: h.source + "/link-to-good.tif", withDestinationPath: h.root("outside.tif"))
        let run = try h.convert()
        #expect(run.status == 0, "\(run.standardError)")
        let report = try h.check()
        let all = names + ["link-to-good.tif"]
        // Byte-wise order of the UTF-8 names, as Python's json hands them back.
        #expect(report.sources == all.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.rejected == [])
    }

    @Test func badFilesAloneStillExitZeroWithNoShards() throws {
        let h = try ConvertHarness("allbad")
        for name in ["a.tif", "b.tif"] { try Data("nope".utf8).write(to: URL(fileURLWithPath: h.source + "/" + name)) }
        let run = try h.convert()
        #expect(run.status == 0, "\(run.standardError)")
        #expect(h.listing() == ["rejected.jsonl"])
        #expect(ConvertHarness.lastLine(run.standardError).hasPrefix("converted 0 images into 0 shards in "))

        let empty = try ConvertHarness("emptysrc")
        let nothing = try empty.convert()
        #expect(nothing.status == 0, "\(nothing.standardError)")
        #expect(empty.listing() == [])
    }

    /// A little-endian gray8 TIFF header declaring `width` x `height`, with a few bytes of "strip".
    static func hugeHeader(width: Int, height: Int) -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        func u16(_ v: Int) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func u32(_ v: Int) { out += (0..<4).map { UInt8(v >> (8 * $0) & 0xff) } }
        let entries: [(tag: Int, type: Int, value: Int)] = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8 + 2 + 9 * 12 + 4), (277, 3, 1), (278, 4, height), (279, 4, 0xFFFF_FFFF),
        ]
        u16(entries.count)
        for e in entries {
            u16(e.tag); u16(e.type); u32(1)
            if e.type == 3 { u16(e.value); u16(0) } else { u32(e.value) }
        }
        u32(0)
        return out + [UInt8](repeating: 0x80, count: 64)
    }
}
