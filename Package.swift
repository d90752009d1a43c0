// swift-tools-version: 6.0
// tiffshard: TIFF ingest daemon that resizes images into shared-memory shards and publishes .npy files.
import PackageDescription

// OpenCV headers live under /usr/include/opencv4 on Debian. We link only core and imgproc:
// `pkg-config opencv4` would pull all 55 modules (375 shared objects, 3x slower process start), and
// imgcodecs alone (GDAL, poppler...) ~120 more; it is dlopen'ed when the cv::imread fallback needs it.
let openCVInclude: [CXXSetting] = [.unsafeFlags(["-I/usr/include/opencv4"])]

let package = Package(
    name: "tiffshard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tiffshard", targets: ["tiffshard"])
    ],
    dependencies: [
        // CLI parsing for run/convert/check-config/worker subcommands.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Structured logging API; our handler writes journald priority prefixes.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "tiffshard",
            dependencies: [
                "TiffShardDaemon", "TiffShardWorker", "TiffShardCore", "LinuxSystem", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TiffShardDaemon",
            dependencies: [
                "TiffShardCore", "LinuxSystem", "Systemd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TiffShardWorker",
            dependencies: ["TiffShardCore", "LinuxSystem", "CImageKernel"]
        ),
        .target(name: "TiffShardCore"),
        .target(
            name: "Systemd",
            dependencies: ["CSystemd", "LinuxSystem", .product(name: "Logging", package: "swift-log")]
        ),
        .systemLibrary(name: "CSystemd"),
        .target(name: "LinuxSystem", dependencies: ["CLinuxShim"]),
        .target(name: "CLinuxShim"),
        .target(
            name: "CImageKernel",
            cxxSettings: openCVInclude + [.unsafeFlags(["-O2"])],
            linkerSettings: [
                .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_core"), .linkedLibrary("tiff"),
                .linkedLibrary("dl"),
            ]
        ),

        // Test support: a libtiff-based TIFF writer (every compression/layout) and Swift helpers (the one
        // temporary-directory helper, a notify-socket recorder, process runners).
        .target(
            name: "CTestTIFF",
            path: "Tests/CTestTIFF",
            linkerSettings: [.linkedLibrary("tiff")]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["CTestTIFF", "LinuxSystem", "TiffShardCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "TiffShardCoreTests", dependencies: ["TiffShardCore", "TestSupport"]),
        .testTarget(
            name: "LinuxSystemTests",
            dependencies: ["LinuxSystem", "TestSupport"]
        ),
        .testTarget(
            name: "SystemdTests",
            dependencies: ["Systemd", "LinuxSystem", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "ImageKernelTests",
            dependencies: ["CImageKernel", "TestSupport", "CTestTIFF"]
        ),
        .testTarget(
            name: "TiffShardWorkerTests",
            dependencies: ["TiffShardWorker", "CImageKernel", "LinuxSystem", "TestSupport"]
        ),
        .testTarget(
            name: "TiffShardDaemonTests",
            dependencies: [
                "TiffShardDaemon", "TiffShardCore", "LinuxSystem", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            // CImageKernel: its reference decode is what the output options' shards are compared with.
            dependencies: ["TestSupport", "TiffShardCore", "LinuxSystem", "CImageKernel"]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
