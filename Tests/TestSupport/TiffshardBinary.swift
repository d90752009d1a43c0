import Foundation

/// Locates the built `tiffshard` executable next to the test bundle (same build directory).
public enum TiffshardBinary {
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["TIFFSHARD_BINARY"] { return override }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .build/<triple>/debug/tiffshardPackageTests.xctest -> .build/<triple>/debug/tiffshard
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("tiffshard").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tiffshard").path
    }
}
