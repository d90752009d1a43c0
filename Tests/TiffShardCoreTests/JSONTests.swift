import Foundation
import TestSupport
import Testing

@testable import TiffShardCore

/// Strings that break naive JSON writers.
private let trickyStrings: [String] = [
    "", "plain", "with \"quotes\"", "back\\slash", "\\\"", "line\nbreak", "cr\rlf\r\n", "tab\there",
    "nul\u{0}byte", "bell\u{7}", "esc\u{1B}[0m", "unit\u{1F}sep", "del\u{7F}", "caf\u{E9}", "e\u{301}",
    "日本語/ファイル.tif", "emoji 😀🧪 flag 🇫🇷", "family 👨‍👩‍👧",
    "line sep \u{2028} para \u{2029}",
    "slash / and </script>", "{\"nested\": [1, 2]}", "max scalar \u{10FFFF}",
    String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }),
]

@Test func quoteEscapesExactlyWhatJSONRequires() {
    #expect(JSONObjectWriter.quote("a\"b") == #""a\"b""#)
    #expect(JSONObjectWriter.quote("a\\b") == #""a\\b""#)
    #expect(JSONObjectWriter.quote("a\nb\rc\td") == #""a\nb\rc\td""#)
    #expect(JSONObjectWriter.quote("\u{0}\u{1}\u{8}\u{C}\u{1F}") == #""\u0000\u0001\u0008\u000c\u001f""#)
    #expect(JSONObjectWriter.quote("\u{7F}") == "\"\u{7F}\"", "DEL needs no escape")
    #expect(JSONObjectWriter.quote("é😀") == "\"é😀\"", "non-ASCII is written as UTF-8")
    #expect(JSONObjectWriter.quote("/") == "\"/\"")
}

@Test(arguments: trickyStrings)
func stringsSurviveEncodeAndParse(_ value: String) throws {
    var w = JSONObjectWriter()
    w.add(value, value)
    let line = w.result
    #expect(!line.contains("\n"), "a JSON line must stay one line")
    let parsed = try #require(JSONObjectParser.parse(line))
    #expect(parsed == [value: .string(value)])
}

@Test func writerKeepsMemberOrderAndTypes() throws {
    var w = JSONObjectWriter()
    w.add("s", "x")
    w.add("i", 42)
    w.add("big", Int64.max)
    w.add("small", Int64.min)
    w.add("t", true)
    w.add("f", false)
    w.add("d", 1.5)
    w.add("tiny", 1e-7)
    w.add("nan", Double.nan)
    w.add("inf", -Double.infinity)
    let line = w.result
    #expect(line.hasPrefix(#"{"s": "x", "i": 42, "big": 9223372036854775807, "small": -9223372036854775808, "#))
    #expect(line.hasSuffix(#""nan": null, "inf": null}"#))
    let o = try #require(JSONObjectParser.parse(line))
    #expect(o["s"] == .string("x"))
    #expect(o["i"] == .int(42))
    #expect(o["big"] == .int(Int64.max))
    #expect(o["small"] == .int(Int64.min))
    #expect(o["t"] == .bool(true))
    #expect(o["f"] == .bool(false))
    #expect(o["d"] == .double(1.5))
    #expect(o["tiny"] == .double(1e-7))
    #expect(o["nan"] == .null)
    #expect(o["inf"] == .null)
    #expect(o.count == 10)
}

@Test func emptyObject() {
    #expect(JSONObjectWriter().result == "{}")
    #expect(JSONObjectParser.parse("{}") == [:])
    #expect(JSONObjectParser.parse("  { }  \n") == [:])
}

@Test func parserReadsJSONFromOtherWriters() throws {
    let o = try #require(
        JSONObjectParser.parse(
            #"{"a":"\ud83d\ude00","b":"\u00e9\/\b\f","c":-0.25e2,"d":  null ,"e" : 7}"#))
    #expect(o["a"] == .string("😀"))
    #expect(o["b"] == .string("é/\u{8}\u{C}"))
    #expect(o["c"] == .double(-25))
    #expect(o["d"] == .null)
    #expect(o["e"]?.intValue == 7)
    #expect(o["a"]?.intValue == nil)
    #expect(o["e"]?.stringValue == nil)
}

@Test(arguments: [
    "", "[]", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":1}x", "{\"a\":\"x}",
    "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ude00\"}", "{\"a\":{\"b\":1}}",
    "{\"a\":tru}", "{\"a\":nul}", "{\"a\":1x}", "{\"a\":-}", "{a:1}", "{'a':1}",
    // Arrays hold scalars only, comma-separated, closed.
    "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":[}", "{\"a\":[1}", "{\"a\":[[1]]}", "{\"a\":[{}]}",
    "{\"a\":]}",
])
func parserRejectsMalformedLines(_ line: String) {
    #expect(JSONObjectParser.parse(line) == nil)
}

@Test func arraysOfScalarsRoundTrip() throws {
    var w = JSONObjectWriter()
    w.add("resized", [64, 48])
    w.add("offset", [0, -13])
    w.add("scale", [0.5, 1e-7, .infinity])
    w.add("none", [Int]())
    #expect(w.result == #"{"resized": [64, 48], "offset": [0, -13], "scale": [0.5, 1e-07, null], "none": []}"#)
    let o = try #require(JSONObjectParser.parse(w.result))
    #expect(o["resized"]?.intArrayValue == [64, 48])
    #expect(o["offset"] == .array([.int(0), .int(-13)]))
    #expect(o["scale"] == .array([.double(0.5), .double(1e-7), .null]))
    #expect(o["scale"]?.intArrayValue == nil)
    #expect(o["none"] == .array([]))
    #expect(JSONObjectParser.parse(#"{"a": [ 1 , "x" , true ] }"#)?["a"] == .array([.int(1), .string("x"), .bool(true)]))
    #expect(JSONValue.int(3).numberValue == 3 && JSONValue.double(0.5).numberValue == 0.5)
    #expect(JSONValue.string("3").numberValue == nil)
}

/// Python's `json` module is the reference reader: it must agree with our writer on the nastiest line we have,
/// and our parser must read what Python writes back (ASCII-only, with surrogate pairs).
@Test func pythonAgreesOnATrickyLine() throws {
    var w = JSONObjectWriter()
    var expected: [String: JSONValue] = [:]
    for (index, value) in trickyStrings.enumerated() {
        w.add("k\(index) \(value)", value)
        expected["k\(index) \(value)"] = .string(value)
    }
    w.add("int", Int64(-1_234_567_890_123))
    w.add("double", 1_795_565_407.123456789)
    w.add("yes", true)
    expected["int"] = .int(-1_234_567_890_123)
    expected["double"] = .double(1_795_565_407.123456789)
    expected["yes"] = .bool(true)
    let dir = try TemporaryDirectory("core")
    defer { dir.remove() }
    let path = try dir.write("line.jsonl", bytes: Array((w.result + "\n").utf8))
    let script = """
        import sys, json
        lines = open(sys.argv[1], encoding='utf-8').read().split('\\n')
        assert len(lines) == 2 and lines[1] == '', 'exactly one line'
        print(json.dumps(json.loads(lines[0]), ensure_ascii=True))
        """
    let output = try Python.run(script, arguments: [path])
    #expect(output.status == 0, "\(output.stderr)")
    let echoed = output.stdout.trimmingCharacters(in: .newlines)
    #expect(echoed.allSatisfy { $0.isASCII })
    #expect(JSONObjectParser.parse(echoed) == expected)
}

/// Names that are not valid UTF-8 (latin-1 from a Windows share, a stray byte, a truncated sequence)
/// round-trip losslessly, and Python's `os.fsencode(json.loads(line)[...])` gives back the exact bytes.
@Test func pathsThatAreNotUTF8RoundTripAndPythonRecoversTheBytes() throws {
    let names: [[UInt8]] = [
        Array("caf".utf8) + [0xE9] + Array(".tif".utf8),  // latin-1 é
        [0xFF, 0xFE] + Array("\"quote\\ \n".utf8),  // invalid bytes next to characters JSON escapes
        Array("ok-é-".utf8) + [0xC3] + Array(".tif".utf8),  // a truncated two-byte sequence
        Array("sub/".utf8) + [0x80] + Array("/x.tif".utf8),
        Array("plain.tif".utf8),
    ]
    let dir = try TemporaryDirectory("core")
    defer { dir.remove() }
    var lines = ""
    for (index, bytes) in names.enumerated() {
        var w = JSONObjectWriter()
        w.add("source", SourcePath(bytes: bytes))
        let line = w.result
        #expect(JSONObjectParser.parse(line)?["source"]?.pathValue == SourcePath(bytes: bytes), "name \(index)")
        lines += line + "\n"
    }
    let path = try dir.write("names.jsonl", bytes: Array(lines.utf8))
    let script = """
        import sys, os, json
        for line in open(sys.argv[1], encoding='utf-8'):
            print(os.fsencode(json.loads(line)['source']).hex())
        """
    let output = try Python.run(script, arguments: [path])
    #expect(output.status == 0, "\(output.stderr)")
    let hex = output.stdout.split(separator: "\n").map(String.init)
    #expect(hex == names.map { $0.map { SourcePath.hex($0) }.joined() })
}
