import Foundation
import Testing

@testable import TiffShardCore

private let sampleRecord = ManifestRecord(
    row: 3,
    source: SourceIdentity(
        relativePath: "sub dir/b\"1\".tif", size: 1234, modificationTimeNanoseconds: 1_795_565_407_500_000_000),
    info: SourceInfo(width: 640, height: 480, bitsPerSample: 16, channels: 3, pages: 2, compression: 5))

@Test func manifestLineHasTheDocumentedKeysInOrder() {
    #expect(
        sampleRecord.encoded() == #"{"row": 3, "source": "sub dir/b\"1\".tif", "bytes": 1234, "mtime": 1795565407.5, "#
            + #""mtime_ns": 1795565407500000000, "width": 640, "height": 480, "bits_per_sample": 16, "channels": 3, "#
            + #""pages": 2, "compression": 5, "page": 0, "sample_format": 0, "photometric": 65535, "dtype": "uint8", "#
            + #""color": "gray", "resize": "stretch", "pad_value": 0, "pages_mode": "first"}"#)
}

/// A row of page 3 of a five-page float RGB file, fitted into 64 x 64 float32 RGB with a pad value.
private let fittedRecord = ManifestRecord(
    row: 7, source: SourceIdentity(relativePath: "scans/p.tif", size: 99, modificationTimeNanoseconds: 1_000_000_000),
    info: SourceInfo(
        width: 200, height: 100, bitsPerSample: 32, channels: 3, pages: 5, compression: 8, sampleFormat: 3,
        photometric: 2, directory: 6, placement: Placement(resizedWidth: 64, resizedHeight: 32, offsetX: 0, offsetY: 16)),
    page: 3, output: OutputFormat(dtype: .float32, color: .rgb, pages: .all, resize: .fit, padValue: -0.5))

@Test func manifestLineRecordsPageFormatAndPlacement() {
    #expect(
        fittedRecord.encoded()
            == #"{"row": 7, "source": "scans/p.tif", "bytes": 99, "mtime": 1.0, "mtime_ns": 1000000000, "width": 200, "#
            + #""height": 100, "bits_per_sample": 32, "channels": 3, "pages": 5, "compression": 8, "page": 3, "#
            + #""sample_format": 3, "photometric": 2, "dtype": "float32", "color": "rgb", "resize": "fit", "#
            + #""pad_value": -0.5, "pages_mode": "all", "resized": [64, 32], "offset": [0, 16], "scale": [0.32, 0.32]}"#)
    // A crop: negative offsets, a scale above the stretch's; the pad value recorded all the same.
    let cropped = ManifestRecord(
        row: 0, source: fittedRecord.source,
        info: SourceInfo(
            width: 100, height: 50, bitsPerSample: 16, channels: 1, pages: 1, sampleFormat: 1, photometric: 1,
            placement: Placement(resizedWidth: 128, resizedHeight: 64, offsetX: -32, offsetY: 0)),
        page: 0, output: OutputFormat(dtype: .uint16, resize: .crop, padValue: 9))
    #expect(cropped.padValue == 9)
    let members = JSONObjectParser.parse(cropped.encoded())!
    #expect(members["pad_value"] == .int(9) && members["pages_mode"] == .string("first"))
    #expect(members["resized"] == .array([.int(128), .int(64)]))
    #expect(members["offset"] == .array([.int(-32), .int(0)]))
    #expect(members["scale"] == .array([.double(1.28), .double(1.28)]))
    #expect(members["dtype"] == .string("uint16") && members["resize"] == .string("crop"))
    // An integral pad value is written as an integer (what the integer dtypes accept).
    var padded = cropped
    padded.resize = .fit
    padded.padValue = 255
    #expect(JSONObjectParser.parse(padded.encoded())?["pad_value"] == .int(255))
}

@Test func manifestRecordsOfEveryFormatRoundTrip() throws {
    for dtype in OutputFormat.SampleType.allCases {
        for color in OutputFormat.Color.allCases {
            for resize in OutputFormat.Resize.allCases {
                for pad in [0, 255, 0.25, -1e-9] {
                    var record = fittedRecord
                    record.dtype = dtype
                    record.color = color
                    record.resize = resize
                    record.padValue = pad
                    record.pagesMode = pad == 0 ? .first : .all
                    record.info.directory = 0  // not in the manifest
                    #expect(ManifestRecord.parse(record.encoded()) == record, "\(dtype) \(color) \(resize) \(pad)")
                }
            }
        }
    }
}

/// Python's json reads the new members as a user would, and the scale is the ratio of sizes.
@Test func pythonReadsTheNewMembers() throws {
    let script = """
        import json, sys
        r = json.loads(sys.argv[1])
        print(r["page"], r["pages"], r["dtype"], r["color"], r["resize"], r["pad_value"], r["resized"], r["offset"],
              r["scale"] == [r["resized"][0] / r["width"], r["resized"][1] / r["height"]], r["sample_format"],
              r["photometric"])
        """
    let output = try Python.run(script, arguments: [fittedRecord.encoded()])
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout == "3 5 float32 rgb fit -0.5 [64, 32] [0, 16] True 3 2\n")
}

@Test func manifestsWrittenBeforeTheOutputOptionsStillParse() throws {
    // A line as every earlier version wrote it: today's defaults, no placement, photometric unknown.
    let old = #"{"row": 2, "source": "a.tif", "bytes": 10, "mtime": 1.5, "mtime_ns": 1500000000, "width": 64, "#
        + #""height": 32, "bits_per_sample": 8, "channels": 1, "pages": 3, "compression": 1}"#
    let record = try #require(ManifestRecord.parse(old))
    #expect(record.page == 0 && record.dtype == .uint8 && record.color == .gray && record.resize == .stretch)
    #expect(record.padValue == 0 && record.pagesMode == .first && record.info.placement == nil)
    #expect(record.info.sampleFormat == 0 && record.info.photometric == SourceInfo.unknownPhotometric)
    #expect(record.info.pages == 3 && record.source.relativePath == "a.tif")
    // Values a later version may add are not a reason to lose the row's identity.
    let future = ManifestRecord.parse(
        #"{"row": 0, "source": "b.tif", "bytes": 1, "mtime_ns": 2, "dtype": "float64", "color": "cmyk", "resized": [1]}"#)
    #expect(future?.source == SourceIdentity(relativePath: "b.tif", size: 1, modificationTimeNanoseconds: 2))
    #expect(future?.dtype == .uint8 && future?.color == .gray && future?.info.placement == nil)
}

@Test func manifestKeysAreThePublicFormat() throws {
    let members = try #require(JSONObjectParser.parse(sampleRecord.encoded()))
    let documented: Set = [
        "row", "source", "bytes", "mtime", "mtime_ns", "width", "height", "bits_per_sample",
        "channels", "pages",
    ]
    #expect(documented.isSubset(of: Set(members.keys)))
    #expect(
        Set(members.keys).subtracting(documented)
            == ["compression", "page", "sample_format", "photometric", "dtype", "color", "resize", "pad_value",
                "pages_mode"])
    let fitted = try #require(JSONObjectParser.parse(fittedRecord.encoded()))
    #expect(
        Set(fitted.keys).subtracting(members.keys) == ["resized", "offset", "scale"],
        "every output option always; the placement whenever the decoder reported one")
    #expect(members["mtime"] == .double(1_795_565_407.5))
    #expect(ManifestRecord.Key.mtimeNanoseconds == "mtime_ns")
    #expect(ManifestRecord.Key.bitsPerSample == "bits_per_sample")
}

@Test(arguments: [
    ("a.tif", Int64(0), Int64(0), UInt32(1), UInt32(1)),
    ("日本/😀 x\n.tif", 1 << 40, -1_000_000_001, UInt32.max, 7),
    ("deep/er/path.TIFF", Int64.max, Int64.max, 128, UInt32.max),
])
func manifestRecordsRoundTrip(path: String, size: Int64, mtime: Int64, width: UInt32, pages: UInt32) throws {
    let record = ManifestRecord(
        row: 1023, source: SourceIdentity(relativePath: SourcePath(path), size: size, modificationTimeNanoseconds: mtime),
        info: SourceInfo(width: width, height: 9, bitsPerSample: 8, channels: 1, pages: pages, compression: 32773))
    let line = record.encoded()
    #expect(!line.contains("\n"))
    #expect(ManifestRecord.parse(line) == record)
}

@Test func manifestParseNeedsTheIdentityMembers() {
    let line = sampleRecord.encoded()
    #expect(ManifestRecord.parse("not json") == nil)
    for key in ["row", "source", "bytes", "mtime_ns"] {
        var members = JSONObjectParser.parse(line)!
        members[key] = nil
        var w = JSONObjectWriter()
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string(let s): w.add(name, s)
            case .int(let i): w.add(name, i)
            case .double(let d): w.add(name, d)
            default: break
            }
        }
        #expect(ManifestRecord.parse(w.result) == nil, "missing \(key)")
    }
    // Optional members default to zero; extra members are ignored.
    let minimal = ManifestRecord.parse(#"{"row": 0, "source": "x.tif", "bytes": 5, "mtime_ns": 9, "extra": true}"#)
    #expect(minimal?.source == SourceIdentity(relativePath: "x.tif", size: 5, modificationTimeNanoseconds: 9))
    #expect(minimal?.info == SourceInfo(width: 0, height: 0, bitsPerSample: 0, channels: 0, pages: 0, compression: 0))
    #expect(minimal?.page == 0 && minimal?.dtype == .uint8 && minimal?.padValue == 0)
}

@Test func rejectionRecordLine() throws {
    let record = RejectionRecord(
        source: "bad \"one\".tif", rejection: Rejection(.crashed, "signal 11"), timeNanoseconds: 1_795_565_407_123_456_789,
        bytes: 77, modificationTimeNanoseconds: 1_795_565_000_000_000_001)
    #expect(
        record.encoded() == #"{"source": "bad \"one\".tif", "category": "crashed", "reason": "decoder crashed (signal 11)", "#
            + #""time": "2026-11-25T00:10:07.123Z", "time_ns": 1795565407123456789, "bytes": 77, "#
            + #""mtime_ns": 1795565000000000001}"#)
    let members = try #require(JSONObjectParser.parse(record.encoded()))
    #expect(members["source"] == .string("bad \"one\".tif"))
    #expect(members["category"] == .string("crashed"))
    #expect(members["reason"] == .string("decoder crashed (signal 11)"))
    #expect(members["time_ns"] == .int(1_795_565_407_123_456_789))
    #expect(
        RejectionRecord.identity(parsing: record.encoded())
            == SourceIdentity(relativePath: "bad \"one\".tif", size: 77, modificationTimeNanoseconds: 1_795_565_000_000_000_001))
    let withoutSize = RejectionRecord(source: "s", rejection: Rejection(.notTIFF, "r"), timeNanoseconds: 0)
    #expect(JSONObjectParser.parse(withoutSize.encoded())?.keys.sorted() == ["category", "reason", "source", "time", "time_ns"])
    #expect(RejectionRecord.identity(parsing: withoutSize.encoded()) == nil, "no size and mtime: no identity")
}

@Test(arguments: [
    (Int64(0), "1970-01-01T00:00:00.000Z"),
    (1_709_164_800_000_000_000, "2024-02-29T00:00:00.000Z"),
    (1_709_251_199_999_999_999, "2024-02-29T23:59:59.999Z"),
    (1_709_251_200_000_000_000, "2024-03-01T00:00:00.000Z"),
    (1_795_565_407_000_000_000, "2026-11-25T00:10:07.000Z"),
    (951_825_600_001_000_000, "2000-02-29T12:00:00.001Z"),
    (4_107_542_400_000_000_000, "2100-03-01T00:00:00.000Z"),
    (-1, "1969-12-31T23:59:59.999Z"),
    (-1_000_000_000, "1969-12-31T23:59:59.000Z"),
    (-2_208_988_800_000_000_000, "1900-01-01T00:00:00.000Z"),
])
func isoTimeFormatsKnownInstants(nanoseconds: Int64, expected: String) {
    #expect(ISOTime.format(nanoseconds: nanoseconds) == expected)
}

/// Cross-check whole seconds over 1900...2200 against Foundation's own ISO 8601 formatter.
@Test func isoTimeAgreesWithFoundation() {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    var rng = SplitMix64(seed: 2026)
    for _ in 0..<5000 {
        let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &rng)
        let millis = Int64.random(in: 0..<1000, using: &rng)
        let ours = ISOTime.format(nanoseconds: seconds * 1_000_000_000 + millis * 1_000_000 + 999_999)
        let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let millisText = String(millis + 1000).dropFirst()
        #expect(ours == theirs.dropLast() + ".\(millisText)Z", "\(seconds)")
    }
}
