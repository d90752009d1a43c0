import Testing

@testable import TiffShardCore

@Test(arguments: ["a.tif", "a.tiff", "A.TIF", "scan 01.TiFf", "日本.tif", "x.y.tif", "a.tmp.tif", "-.tif"])
func tiffNamesAreCandidates(_ name: String) {
    #expect(Admission.isCandidateName(name))
}

@Test(arguments: [
    "", ".tif", ".hidden.tif", ".a.tif.XyZ123", "a.tif.part", "a.tif.partial", "a.tif.tmp", "a.tif.swp", "a.tif~",
    "a.TIF.PART", "a.png", "a.tif.jpg", "tif", "atif", "a.tifff", "a.tif ",
])
func otherNamesAreNot(_ name: String) {
    #expect(!Admission.isCandidateName(name))
}

@Test func tiffSignatures() {
    #expect(Admission.hasTIFFSignature([0x49, 0x49, 0x2A, 0x00]))
    #expect(Admission.hasTIFFSignature([0x4D, 0x4D, 0x00, 0x2A, 0xFF]))
    #expect(Admission.hasTIFFSignature([0x49, 0x49, 0x2B, 0x00, 0x08, 0x00]))
    #expect(Admission.hasTIFFSignature([0x4D, 0x4D, 0x00, 0x2B]))
    #expect(Admission.hasTIFFSignature([0x4D, 0x4D, 0x00, 0x2A][...]))
    #expect(!Admission.hasTIFFSignature([0x49, 0x49, 0x2A]))
    #expect(!Admission.hasTIFFSignature([]))
    #expect(!Admission.hasTIFFSignature([0x49, 0x49, 0x00, 0x2A]), "mixed byte order")
    #expect(!Admission.hasTIFFSignature([0x4D, 0x4D, 0x2A, 0x00]))
    #expect(!Admission.hasTIFFSignature([0x89, 0x50, 0x4E, 0x47]), "PNG")
    #expect(!Admission.hasTIFFSignature(Array("II*".utf8) + [1]))
}

@Test func interpolationCodesMatchTheKernel() {
    #expect(Interpolation.allCases.map(\.code) == [0, 1, 2, 3, 4])
    #expect(Interpolation.allCases.map(\.rawValue) == ["linear", "area", "nearest", "cubic", "lanczos"])
    for value in Interpolation.allCases { #expect(Interpolation(code: value.code) == value) }
    #expect(Interpolation(code: 5) == nil)
    #expect(Interpolation(code: 255) == nil)
}

@Test func sourceIdentityIsPathSizeAndTime() {
    let file = SourceFile(relativePath: "a/b.tif", size: 10, modificationTimeNanoseconds: 20)
    #expect(file.identity == SourceIdentity(relativePath: "a/b.tif", size: 10, modificationTimeNanoseconds: 20))
    var rewritten = file
    rewritten.modificationTimeNanoseconds += 1
    #expect(rewritten.identity != file.identity)
    var resized = file
    resized.size += 1
    #expect(resized.identity != file.identity)
}
