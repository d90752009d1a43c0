import Testing

@testable import TiffShardCore

@Test func sourcePathsAreBytesShownWithEscapesAndSortedByByte() {
    let latin1 = SourcePath(bytes: Array("sub/caf".utf8) + [0xE9] + Array(".tif".utf8))
    #expect(latin1.string == nil)
    #expect(latin1.description == "sub/caf\\xe9.tif")
    #expect(latin1.name == SourcePath(bytes: Array("caf".utf8) + [0xE9] + Array(".tif".utf8)))
    #expect(SourcePath("").appending("a.tif") == "a.tif")
    #expect(SourcePath("d").appending("a.tif") == "d/a.tif")
    #expect(SourcePath("d/a.tif").absolute(under: Array("/in".utf8)) == Array("/in/d/a.tif".utf8))
    #expect(SourcePath("d/.x.tif").isHidden && !SourcePath(".d/x.tif").isHidden)
    // Byte order, as `ls` in the C locale: "sub-a" < "sub/x" because '-' (0x2D) < '/' (0x2F).
    #expect([SourcePath("sub/x.tif"), SourcePath("sub-a.tif"), latin1].sorted() == ["sub-a.tif", latin1, "sub/x.tif"])
}

@Test func candidateNamesAreJudgedOnBytes() {
    #expect(Admission.isCandidateName(Array("caf".utf8) + [0xE9] + Array(".TIF".utf8)))
    #expect(Admission.isCandidateName(Array("x.tiff".utf8)))
    #expect(!Admission.isCandidateName([0xFF] + Array(".tif.part".utf8)))
    #expect(!Admission.isCandidateName(Array(".hidden.tif".utf8)))
    #expect(!Admission.isCandidateName(Array("notes.txt".utf8)))
}
