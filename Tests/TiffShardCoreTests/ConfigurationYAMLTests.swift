import Testing

@testable import TiffShardCore

/// The strict YAML subset: what is read and what is refused, always naming the line.
@Suite struct ConfigurationYAMLTests {
    /// Entries as "key=value" (value "nil" for the default) with their origins.
    private func entries(_ text: String) throws -> [String] {
        try ConfigurationLoader.parse(yaml: text, origin: "f.yaml").map {
            "\($0.key)=\($0.value ?? "nil")@\($0.origin)"
        }
    }

    /// The syntax error for `text`, if any.
    private func syntaxError(_ text: String) -> ConfigurationError? {
        do {
            _ = try ConfigurationLoader.parse(yaml: text, origin: "f.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func commentsBlankLinesAndTrailingSpacesAreIgnored() throws {
        let text = """
            # full-line comment
              # indented comment
            \t# tab before a comment

            width: 64   # trailing comment
            height: 32\u{20}\u{20}
            ingest: /srv/in#not-a-comment
            output: #only a comment: value is the default
            """
        #expect(
            try entries(text) == [
                "width=64@f.yaml:5", "height=32@f.yaml:6", "ingest=/srv/in#not-a-comment@f.yaml:7",
                "output=nil@f.yaml:8",
            ]
        )
    }

    @Test func quotedValues() throws {
        let text = #"""
            a: 'it''s # not a comment'
            b: "tab\tquote\" backslash\\ newline\n"  # comment
            c: ''
            d: "~"
            e: 'null'
            f: "  spaced  "
            g: "café"
            """#
        let parsed = try ConfigurationLoader.parse(yaml: text, origin: "f")
        #expect(
            parsed.map(\.value) == [
                "it's # not a comment", "tab\tquote\" backslash\\ newline\n", "", "~", "null", "  spaced  ", "café",
            ])
    }

    @Test func nullTildeAndNothingMeanTheDefault() throws {
        #expect(
            try entries("a: ~\nb: null\nc:\nd: NULL\ne:   \n") == [
                "a=nil@f.yaml:1", "b=nil@f.yaml:2", "c=nil@f.yaml:3", "d=nil@f.yaml:4", "e=nil@f.yaml:5",
            ])
    }

    @Test func lineEndsByteOrderMarkAndDocumentStart() throws {
        #expect(try entries("a: 1\r\nb: 2\r\n") == ["a=1@f.yaml:1", "b=2@f.yaml:2"])
        #expect(try entries("a: 1\rb: 2") == ["a=1@f.yaml:1", "b=2@f.yaml:2"])
        #expect(try entries("\u{FEFF}---\n# c\r\na: x y  \r\n\r\n") == ["a=x y@f.yaml:3"])
        #expect(try entries("") == [])
        #expect(try entries("key : v\nurl: http://host:80/x\n") == ["key=v@f.yaml:1", "url=http://host:80/x@f.yaml:2"])
    }

    @Test(arguments: [
        // (text, line, reason fragment)
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first set on line 1)"),
        ("server:\n  port: 80\n", 2, "unexpected indentation"),
        ("a: 1\n b: 2\n", 2, "unexpected indentation"),
        ("a: 1\n\tb: 2\n", 2, "tab used for indentation"),
        (" \tb: 2\n", 1, "tab used for indentation"),
        ("- a\n", 1, "lists are not supported"),
        ("a: - b\n", 1, "lists are not supported"),
        ("a: [1, 2]\n", 1, "flow sequences and mappings"),
        ("a: {b: 1}\n", 1, "flow sequences and mappings"),
        ("a: &anchor 1\n", 1, "anchors, tags and block scalars"),
        ("a: *anchor\n", 1, "anchors, tags and block scalars"),
        ("a: !!int 1\n", 1, "anchors, tags and block scalars"),
        ("a: |\n", 1, "anchors, tags and block scalars"),
        ("a: b: c\n", 1, "a value cannot contain ': '"),
        ("width:128\n", 1, "expected 'key: value'"),
        ("just text\n", 1, "expected 'key: value'"),
        ("a: 'open\n", 1, "unterminated quoted value"),
        ("a: \"open\\\"\n", 1, "unterminated quoted value"),
        ("a: \"x\\q\"\n", 1, "unsupported escape '\\q'"),
        ("a: 'x' y\n", 1, "unexpected text after the closing quote"),
        ("a: 'x'# c\n", 1, "unexpected text after the closing quote"),
        ("\"a\": 1\n", 1, "a key must be a plain name"),
        ("? a\n", 1, "a key must be a plain name"),
        (": 1\n", 1, "a key must be a plain name"),
        ("%YAML 1.2\n", 1, "a key must be a plain name"),
        ("a: 1\n---\nb: 2\n", 2, "only one document"),
    ])
    func unsupportedYAMLIsASyntaxErrorNamingTheLine(text: String, line: Int, reason: String) throws {
        let error = try #require(syntaxError(text))
        guard case .syntax(let actual) = error.kind else {
            Issue.record("not a syntax error: \(error)")
            return
        }
        #expect(actual.contains(reason), "\(actual)")
        #expect(error.origin == "f.yaml:\(line)")
        #expect(error.value == text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[line - 1])
        #expect(error.description == "syntax error in f.yaml:\(line): \(actual)")
    }

    @Test func syntaxErrorsStopTheLoader() {
        let error = configurationLoadError("width: 64\nheight: 64\nwidth: 32\n")
        #expect(error?.description == "syntax error in /etc/x.yaml:3: duplicate key 'width' (first set on line 1)")
        #expect(error?.key == "width")
        #expect(configurationLoadError("output:\n  path: /srv\n")?.origin == "/etc/x.yaml:2")
    }

    @Test func valuesKeepTheirInnerSpacingAndCase() throws {
        #expect(try entries("ingest: /srv/My Scans/in  \n") == ["ingest=/srv/My Scans/in@f.yaml:1"])
    }
}
