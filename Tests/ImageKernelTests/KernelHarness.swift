import CImageKernel
import Foundation

/// What one kernel call returned.
struct KernelOutcome {
    var status: tsk_status
    var info: tsk_info
    var message: String
    /// The destination buffer after the call (0xA5-filled before it).
    var pixels: [UInt8]

    /// Number of bytes that differ from `other`'s pixels (both the same size).
    func differences(from other: KernelOutcome) -> Int {
        zip(pixels, other.pixels).reduce(0) { $0 + ($1.0 == $1.1 ? 0 : 1) }
    }
}

/// Thin Swift calls into the C image kernel, for tests.
enum Kernel {
    /// The default pixel limit of the tests (OpenCV's own CV_IO_MAX_IMAGE_PIXELS).
    static let defaultLimit: UInt64 = 1 << 30
    static let interpolations: [tsk_interpolation] = [
        TSK_INTER_LINEAR, TSK_INTER_AREA, TSK_INTER_NEAREST, TSK_INTER_CUBIC, TSK_INTER_LANCZOS,
    ]
    private static let initialized: Void = tsk_init()

    /// `tsk_decode_resize` into a fresh width x height buffer.
    static func decode(
        _ path: String, width: Int, height: Int, _ interpolation: tsk_interpolation = TSK_INTER_AREA,
        maxPixels: UInt64 = defaultLimit
    ) -> KernelOutcome {
        call(width: width, height: height) { pixels, info, error, capacity in
            tsk_decode_resize(
                path, pixels, Int32(width), Int32(height), interpolation, maxPixels, info, error, capacity)
        }
    }

    /// `tsk_reference_decode_resize` (plain cv::imread + cv::resize) into a fresh buffer.
    static func reference(
        _ path: String, width: Int, height: Int, _ interpolation: tsk_interpolation = TSK_INTER_AREA
    ) -> KernelOutcome {
        call(width: width, height: height) { pixels, _, error, capacity in
            tsk_reference_decode_resize(path, pixels, Int32(width), Int32(height), interpolation, error, capacity)
        }
    }

    /// `tsk_probe`.
    static func probe(_ path: String, maxPixels: UInt64 = defaultLimit) -> KernelOutcome {
        call(width: 0, height: 0) { _, info, error, capacity in
            tsk_probe(path, maxPixels, info, error, capacity)
        }
    }

    private static func call(
        width: Int, height: Int,
        _ body: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<tsk_info>, UnsafeMutablePointer<CChar>, Int)
            -> tsk_status
    ) -> KernelOutcome {
        _ = initialized
        var pixels = [UInt8](repeating: 0xA5, count: max(width * height, 1))
        var info = tsk_info()
        var error = [CChar](repeating: 0, count: 512)
        let capacity = error.count
        let status = pixels.withUnsafeMutableBufferPointer { pixelBuffer in
            error.withUnsafeMutableBufferPointer { errorBuffer in
                body(pixelBuffer.baseAddress!, &info, errorBuffer.baseAddress!, capacity)
            }
        }
        let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return KernelOutcome(status: status, info: info, message: message, pixels: pixels)
    }
}
