import CImageKernel

/// What one `tsk_decode`/`tsk_reference_decode` call returned.
struct ModeOutcome {
    var status: tsk_status
    var info: tsk_info
    var placement: tsk_placement
    var message: String
    /// The destination row after the call (0xA5-filled before it), as raw bytes.
    var bytes: [UInt8]

    var placementText: String {
        "\(placement.resized_width)x\(placement.resized_height) at \(placement.offset_x),\(placement.offset_y)"
    }

    /// The row as float32 samples (for dtype float32).
    var floats: [Float] {
        stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    /// The row as uint16 samples (for dtype uint16).
    var uint16s: [UInt16] { stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 } }
}

extension tsk_output {
    /// An output description with the defaults of the configuration.
    static func mode(
        _ width: Int, _ height: Int, dtype: tsk_dtype = TSK_DTYPE_UINT8, color: tsk_color = TSK_COLOR_GRAY,
        resize: tsk_resize = TSK_RESIZE_STRETCH, pages: tsk_pages = TSK_PAGES_FIRST,
        interpolation: tsk_interpolation = TSK_INTER_LINEAR, pad: Double = 0, maxPixels: UInt64 = Kernel.defaultLimit
    ) -> tsk_output {
        var output = tsk_output()
        output.width = Int32(width)
        output.height = Int32(height)
        output.dtype = dtype
        output.color = color
        output.resize = resize
        output.pages = pages
        output.interpolation = interpolation
        output.pad_value = pad
        output.max_pixels = maxPixels
        return output
    }

    /// Bytes of one row.
    var rowBytes: Int {
        let sample = dtype == TSK_DTYPE_UINT8 ? 1 : dtype == TSK_DTYPE_UINT16 ? 2 : 4
        return Int(width) * Int(height) * sample * (color == TSK_COLOR_RGB ? 3 : 1)
    }

    var label: String {
        let d = ["uint8", "uint16", "float32"][Int(dtype.rawValue)]
        let c = color == TSK_COLOR_RGB ? "rgb" : "gray"
        let r = ["stretch", "fit", "crop"][Int(resize.rawValue)]
        return "\(d) \(c) \(r) \(width)x\(height) interpolation \(interpolation.rawValue)"
    }
}

extension Kernel {
    /// `tsk_decode` of page `page` into a fresh row.
    static func decode(_ path: String, page: UInt32 = 0, _ output: tsk_output) -> ModeOutcome {
        callMode(output) { destination, info, placement, error, capacity in
            var output = output
            return tsk_decode(path, page, &output, destination, info, placement, error, capacity)
        }
    }

    /// `tsk_reference_decode` of page `page` into a fresh row.
    static func reference(_ path: String, page: UInt32 = 0, _ output: tsk_output) -> ModeOutcome {
        callMode(output) { destination, _, placement, error, capacity in
            var output = output
            return tsk_reference_decode(path, page, &output, destination, placement, error, capacity)
        }
    }

    private static func callMode(
        _ output: tsk_output,
        _ body: (UnsafeMutableRawPointer, UnsafeMutablePointer<tsk_info>, UnsafeMutablePointer<tsk_placement>,
            UnsafeMutablePointer<CChar>, Int) -> tsk_status
    ) -> ModeOutcome {
        _ = decode("/nonexistent", width: 1, height: 1)  // tsk_init
        var bytes = [UInt8](repeating: 0xA5, count: max(output.rowBytes, 1))
        var info = tsk_info()
        var placement = tsk_placement()
        var error = [CChar](repeating: 0, count: 512)
        let capacity = error.count
        let status = bytes.withUnsafeMutableBytes { row in
            error.withUnsafeMutableBufferPointer { text in
                body(row.baseAddress!, &info, &placement, text.baseAddress!, capacity)
            }
        }
        let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ModeOutcome(status: status, info: info, placement: placement, message: message, bytes: bytes)
    }
}
