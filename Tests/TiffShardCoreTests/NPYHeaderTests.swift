import Foundation
import TestSupport
import Testing

@testable import TiffShardCore

/// Shapes from one row to ten million rows, with odd and even geometries, so the padding takes every length.
private let shapes: [(rows: Int, height: Int, width: Int)] = {
    var result: [(Int, Int, Int)] = []
    let rowCounts = [
        1, 2, 3, 7, 9, 10, 11, 99, 100, 101, 999, 1000, 1024, 4096, 9999, 10_000, 65_535, 65_536,
        99_999, 100_000, 999_999, 1_000_000, 9_999_999, 10_000_000,
    ]
    for rows in rowCounts {
        for (height, width) in [(1, 1), (128, 128), (7, 13), (1000, 10), (4096, 4096), (99_999, 3)] {
            result.append((rows, height, width))
        }
    }
    return result
}()

/// Every sample type with both colours: the six shard formats.
private let formats: [(dtype: OutputFormat.SampleType, color: OutputFormat.Color)] =
    OutputFormat.SampleType.allCases.flatMap { dtype in OutputFormat.Color.allCases.map { (dtype, $0) } }

@Test func headerPutsDataAtAMultipleOf64ForEveryShapeAndFormat() throws {
    for shape in shapes {
      for format in formats {
        let header = NPYHeader(
            rows: shape.rows, height: shape.height, width: shape.width, dtype: format.dtype, color: format.color)
        let bytes = header.encoded()
        #expect(bytes.count % 64 == 0, "shape \(shape)")
        #expect(bytes.last == 0x0A, "header must end in a newline: \(shape)")
        #expect(Array(bytes[0..<8]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let declared = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(declared == bytes.count - 10)
        let parsed = try #require(NPYHeader.parse(bytes))
        #expect(parsed.header == header)
        #expect(parsed.dataOffset == bytes.count)
        #expect(
            header.dataByteCount
                == shape.rows * shape.height * shape.width * format.color.channels * format.dtype.size)
      }
    }
}

@Test func headerNamesTheDtypeAndTheChannelAxis() {
    func dict(_ dtype: OutputFormat.SampleType, _ color: OutputFormat.Color) -> String {
        let bytes = NPYHeader(rows: 5, height: 7, width: 9, dtype: dtype, color: color).encoded()
        return String(String(decoding: bytes[10...], as: UTF8.self).prefix { $0 != "}" }) + "}"
    }
    #expect(dict(.uint8, .gray) == "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 7, 9), }")
    #expect(dict(.uint16, .gray) == "{'descr': '<u2', 'fortran_order': False, 'shape': (5, 7, 9), }")
    #expect(dict(.float32, .gray) == "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 7, 9), }")
    #expect(dict(.uint8, .rgb) == "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 7, 9, 3), }")
    #expect(dict(.float32, .rgb) == "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 7, 9, 3), }")
    // The default format is byte for byte the header written before the output options existed.
    #expect(NPYHeader(rows: 5, height: 7, width: 9).encoded() == NPYHeader(rows: 5, height: 7, width: 9, output: .default).encoded())
    #expect(NPYHeader(rows: 1, height: 2, width: 3, output: OutputFormat(dtype: .uint16, color: .rgb, pages: .all))
        == NPYHeader(rows: 1, height: 2, width: 3, dtype: .uint16, color: .rgb))
}

@Test func headerIsPaddedWithSpacesOnly() {
    let bytes = NPYHeader(rows: 5, height: 128, width: 128).encoded()
    let text = String(decoding: bytes[10...], as: UTF8.self)
    #expect(text.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': (5, 128, 128), }"))
    let padding = text.dropFirst("{'descr': '|u1', 'fortran_order': False, 'shape': (5, 128, 128), }".count)
    #expect(padding.dropLast().allSatisfy { $0 == " " })
    #expect(padding.last == "\n")
}

@Test func parseIgnoresTrailingDataAndReadsNumPyStyleHeaders() throws {
    // NumPy itself pads the shape with spaces (room to grow the first axis); we must still read it.
    let dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (12, 34, 56), }                          \n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    bytes += [UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)] + Array(dict.utf8)
    let offset = bytes.count
    bytes += [1, 2, 3]
    let parsed = try #require(NPYHeader.parse(bytes))
    #expect(parsed.header == NPYHeader(rows: 12, height: 34, width: 56))
    #expect(parsed.dataOffset == offset)
}

@Test func parseRejectsWhatIsNotOurArray() {
    let good = NPYHeader(rows: 2, height: 3, width: 4).encoded()
    #expect(NPYHeader.parse([]) == nil)
    #expect(NPYHeader.parse(Array(good.prefix(9))) == nil)
    #expect(NPYHeader.parse(Array(good.prefix(40))) == nil, "declared length beyond the bytes")
    var badMagic = good
    badMagic[1] = UInt8(ascii: "n")
    #expect(NPYHeader.parse(badMagic) == nil)
    var version2 = good
    version2[6] = 2
    #expect(NPYHeader.parse(version2) == nil)
    for dict in [
        "{'descr': '>u2', 'fortran_order': False, 'shape': (2, 3, 4), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 4), }",
        "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3, 4), }",
        "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3, 4), }",
        "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3, 4), }",
        "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }",
        "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4, 3), }",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 4), }",
        "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 4, 1), }",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 3, 1), }",
    ] {
        let text = dict + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(text.utf8.count), 0] + Array(text.utf8)
        #expect(NPYHeader.parse(bytes) == nil, "\(dict)")
    }
}

@Test func parseReadsEveryFormatItWrites() throws {
    for format in formats {
        let header = NPYHeader(rows: 3, height: 4, width: 5, dtype: format.dtype, color: format.color)
        let bytes = header.encoded()
        let parsed = try #require(NPYHeader.parse(bytes + [9, 9]))
        #expect(parsed.header == header)
        #expect(parsed.dataOffset == bytes.count)
    }
}

/// The little-endian bytes of sample `value` in `dtype`.
private func sampleBytes(_ value: Int, _ dtype: OutputFormat.SampleType) -> [UInt8] {
    switch dtype {
    case .uint8: [UInt8(value)]
    case .uint16: withUnsafeBytes(of: UInt16(value).littleEndian, Array.init)
    case .float32: withUnsafeBytes(of: Float(value).bitPattern.littleEndian, Array.init)
    }
}

/// Each of the six formats, loaded by NumPy memory-mapped: dtype, shape, every value (checked by a sum and
/// a weighted sum that sees the order) and a pixel's channels in R, G, B order.
@Test func numpyLoadsEveryFormat() throws {
    let dir = try TemporaryDirectory("core")
    defer { dir.remove() }
    var paths: [String] = []
    var expected: [String] = []
    for format in formats {
        for (rows, height, width) in [(1, 1, 1), (3, 5, 7), (2, 1, 300), (7, 33, 65)] {
            let header = NPYHeader(rows: rows, height: height, width: width, dtype: format.dtype, color: format.color)
            var bytes = header.encoded()
            let count = rows * height * width * format.color.channels
            var (sum, weighted) = (0, 0)
            var values: [Int] = []
            for i in 0..<count {
                // Values fit every dtype exactly; 16-bit and float ones go past 255.
                let v = format.dtype == .uint8 ? (i * 31 + 7) % 251 : (i * 7919 + 13) % 65_521
                bytes += sampleBytes(v, format.dtype)
                sum += v
                weighted += v * (i % 97)
                values.append(v)
            }
            #expect(bytes.count == header.encoded().count + header.dataByteCount)
            paths.append(try dir.write("f\(paths.count).npy", bytes: bytes))
            let shape = header.shape.map(String.init).joined(separator: ", ")
            // The last pixel: one value, or its R, G, B (the last axis).
            let pixel = format.color == .rgb ? "[" + values.suffix(3).map(String.init).joined(separator: ", ") + "]" : "\(values.last!)"
            expected.append(
                "(\(shape)) \(format.dtype.npyDescriptor) \(sum) \(weighted) \(header.encoded().count) \(pixel)")
        }
    }
    let script = """
        import sys, numpy as np
        for p in sys.argv[1:]:
            a = np.load(p, mmap_mode='r')
            flat = np.asarray(a, dtype=np.int64).reshape(-1)
            w = np.arange(flat.size, dtype=np.int64) % 97
            last = np.asarray(a[-1, -1, -1], dtype=np.int64).tolist()
            print(a.shape, a.dtype.str, int(flat.sum()), int((flat * w).sum()), a.offset, last)
        """
    let output = try Python.run(script, arguments: paths)
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout.split(separator: "\n").map(String.init) == expected)
}

/// NumPy is the reader that matters: it must load our files, memory-mapped, with the right shape and data.
@Test func numpyLoadsOurArrays() throws {
    let dir = try TemporaryDirectory("core")
    defer { dir.remove() }
    var paths: [String] = []
    var expected: [String] = []
    for (rows, height, width) in [(1, 1, 1), (3, 5, 7), (10, 128, 128), (2, 1, 300), (1000, 4, 4), (7, 33, 65)] {
        let header = NPYHeader(rows: rows, height: height, width: width)
        var bytes = header.encoded()
        var sum = 0
        for i in 0..<header.dataByteCount {
            let v = UInt8((i * 31 + 7) % 251)
            bytes.append(v)
            sum += Int(v)
        }
        paths.append(try dir.write("a\(paths.count).npy", bytes: bytes))
        expected.append("(\(rows), \(height), \(width)) uint8 \(sum) \(header.encoded().count)")
    }
    let script = """
        import sys, numpy as np
        for p in sys.argv[1:]:
            a = np.load(p, mmap_mode='r')
            print(a.shape, a.dtype, int(a.sum(dtype=np.int64)), a.offset)
        """
    let output = try Python.run(script, arguments: paths)
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout.split(separator: "\n").map(String.init) == expected)
}

/// Headers of huge shapes (no data written): NumPy reads the shape and starts the data where we say.
@Test func numpyReadsHeadersOfLargeShapes() throws {
    let dir = try TemporaryDirectory("core")
    defer { dir.remove() }
    var paths: [String] = []
    var expected: [String] = []
    for (index, shape) in shapes.enumerated() where index % 5 == 0 {
        let bytes = NPYHeader(rows: shape.rows, height: shape.height, width: shape.width).encoded()
        paths.append(try dir.write("h\(index).npy", bytes: bytes))
        expected.append("(\(shape.rows), \(shape.height), \(shape.width)) False |u1 \(bytes.count)")
    }
    let script = """
        import sys, numpy as np
        for p in sys.argv[1:]:
            with open(p, 'rb') as f:
                assert np.lib.format.read_magic(f) == (1, 0)
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                print(shape, fortran, dtype.str, f.tell())
        """
    let output = try Python.run(script, arguments: paths)
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout.split(separator: "\n").map(String.init) == expected)
}
