/// Decode routes of the output modes (see output_modes.hpp).
#include "output_modes.hpp"

#include <opencv2/imgcodecs.hpp> // IMREAD_* constants only; the library is loaded lazily
#include <opencv2/imgproc.hpp>

#include "kernel_failure.hpp"
#include "lazy_imread.hpp"
#include "pixel_convert.hpp"
#include "placement.hpp"
#include "sample_decoder.hpp"

namespace tsk {
namespace {

const char *depthName(int depth) noexcept {
    switch (depth) {
    case CV_8U: return "unsigned 8-bit";
    case CV_8S: return "signed 8-bit";
    case CV_16U: return "unsigned 16-bit";
    case CV_16S: return "signed 16-bit";
    case CV_32S: return "signed 32-bit";
    case CV_32F: return "32-bit float";
    case CV_64F: return "64-bit float";
    case CV_16F: return "16-bit float";
    }
    return "unknown";
}

bool directCompression(uint16_t compression) noexcept {
    switch (compression) {
    case COMPRESSION_NONE: case COMPRESSION_LZW: case COMPRESSION_ADOBE_DEFLATE: case COMPRESSION_DEFLATE:
    case COMPRESSION_PACKBITS: case COMPRESSION_LZMA: case COMPRESSION_ZSTD: case COMPRESSION_WEBP:
    case COMPRESSION_LERC:
        return TIFFIsCODECConfigured(compression) != 0;
    default:
        return false;
    }
}

} // namespace

int imreadFlags(const tsk_output &output) noexcept {
    const bool wide = output.dtype != TSK_DTYPE_UINT8;
    if (output.color == TSK_COLOR_GRAY) return wide ? cv::IMREAD_ANYDEPTH : cv::IMREAD_GRAYSCALE;
    return wide ? (cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH) : cv::IMREAD_COLOR;
}

cv::Mat imreadForOutput(const char *path, uint32_t directory, const tsk_output &output) {
    const int flags = imreadFlags(output);
    cv::Mat image = directory == 0 ? lazyImread(path, flags) : lazyImreadPage(path, directory, flags);
    if (image.empty()) return image;
    if (output.color == TSK_COLOR_RGB) {
        if (image.channels() != 3) fail(TSK_INTERNAL, "cv::imread gave %d channels for IMREAD_COLOR", image.channels());
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    } else if (image.channels() != 1) {
        fail(TSK_INTERNAL, "cv::imread gave %d channels for a gray mode", image.channels());
    }
    return toOutputDepth(image, output);
}

cv::Mat toOutputDepth(const cv::Mat &image, const tsk_output &output) {
    const int depth = image.depth();
    const int type = outputType(output);
    if (image.type() == type) return image;
    if (output.dtype == TSK_DTYPE_UINT16 && depth != CV_8U && depth != CV_16U) {
        fail(TSK_UNSUPPORTED, "samples are %s: dtype uint16 cannot hold them by value (dtype float32 can)",
             depthName(depth));
    }
    if (output.dtype == TSK_DTYPE_UINT8 && depth != CV_8U)
        fail(TSK_INTERNAL, "cv::imread gave %s samples for dtype uint8", depthName(depth));
    cv::Mat converted;
    image.convertTo(converted, type);
    return converted;
}

bool hasDirectGrayRoute(const Layout &layout, const tsk_output &output) noexcept {
    return output.color == TSK_COLOR_GRAY && output.dtype != TSK_DTYPE_UINT8 && layout.hasPhotometric &&
           layout.photometric == PHOTOMETRIC_MINISBLACK && layout.samples == 1 &&
           layout.sampleFormat == SAMPLEFORMAT_UINT && (layout.bits == 8 || layout.bits == 16) &&
           layout.orientation == ORIENTATION_TOPLEFT && directCompression(layout.compression);
}

cv::Mat decodeGrayByValue(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw) {
    cv::Mat samples = decodeSamples(tif, layout, raw, output.max_pixels, rowsRead(layout.width, layout.height, output));
    return toOutputDepth(samples, output);
}

cv::Mat decodeBeyondOpenCV(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw) {
    if (output.dtype != TSK_DTYPE_FLOAT32) fail(TSK_INTERNAL, "by-value decoding is for dtype float32");
    const bool rgbSource = layout.hasPhotometric && layout.photometric == PHOTOMETRIC_RGB && layout.samples >= 3;
    const bool graySource = (!layout.hasPhotometric || layout.photometric == PHOTOMETRIC_MINISBLACK);
    if (!rgbSource && !graySource) {
        fail(TSK_UNSUPPORTED, "photometric %d with %u samples is decoded neither by cv::imread nor by value",
             layout.hasPhotometric ? static_cast<int>(layout.photometric) : -1, layout.samples);
    }
    cv::Mat samples = samplesToFloat(decodeSamples(tif, layout, raw, output.max_pixels), layout);
    const int n = samples.channels();
    const size_t pixels = samples.total();
    const float *from = reinterpret_cast<const float *>(samples.data);
    cv::Mat result(samples.rows, samples.cols, outputType(output));
    float *to = reinterpret_cast<float *>(result.data);
    if (output.color == TSK_COLOR_GRAY) {
        for (size_t i = 0; i < pixels; i++) {
            const float *p = from + i * n;
            if (rgbSource) {
                // Three float32 products summed left to right, never fused (-ffp-contract=off for this
                // file): what NumPy computes for r * 0.299 + g * 0.587 + b * 0.114 in float32.
                volatile float red = p[0] * 0.299f, green = p[1] * 0.587f, blue = p[2] * 0.114f;
                volatile float sum = red + green;
                to[i] = sum + blue;
            } else {
                to[i] = p[0];
            }
        }
    } else {
        for (size_t i = 0; i < pixels; i++) {
            const float *p = from + i * n;
            to[3 * i] = p[0];
            to[3 * i + 1] = rgbSource ? p[1] : p[0];
            to[3 * i + 2] = rgbSource ? p[2] : p[0];
        }
    }
    return result;
}

bool imreadMisreadsPlanes(const Layout &layout, const tsk_output &output) noexcept {
    return output.dtype != TSK_DTYPE_UINT8 && layout.planar == PLANARCONFIG_SEPARATE && layout.samples > 1 &&
           layout.bits > 8;
}

cv::Mat decodeSeparatePlanes(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw) {
    if (output.dtype == TSK_DTYPE_FLOAT32) return decodeBeyondOpenCV(tif, layout, output, raw);
    const bool rgb16 = layout.hasPhotometric && layout.photometric == PHOTOMETRIC_RGB && layout.samples >= 3 &&
                       layout.bits == 16 && layout.sampleFormat == SAMPLEFORMAT_UINT;
    if (output.color != TSK_COLOR_RGB || !rgb16) {
        fail(TSK_UNSUPPORTED,
             "planar-separate %u-bit x %u samples: Debian's OpenCV 4.6 misreads them, and uint16 %s is not defined "
             "by value for them (dtype float32 decodes them by value)",
             layout.bits, layout.samples, output.color == TSK_COLOR_RGB ? "rgb" : "gray");
    }
    cv::Mat samples = decodeSamples(tif, layout, raw, output.max_pixels);
    cv::Mat rgb(samples.rows, samples.cols, CV_16UC3);
    const int from[] = {0, 0, 1, 1, 2, 2};
    cv::mixChannels(&samples, 1, &rgb, 1, from, 3);
    return rgb;
}

bool hasDirectRgbRoute(const Layout &layout, const tsk_output &output) noexcept {
    return output.color == TSK_COLOR_RGB && isDirectlyDecodable(layout) && !imreadMisreadsPlanes(layout, output);
}

cv::Mat decodeRgbDirect(TIFF *tif, const Layout &layout, const tsk_output &output, ScratchBuffer &raw) {
    cv::Mat samples = decodeSamples(tif, layout, raw, output.max_pixels, rowsRead(layout.width, layout.height, output));
    const int n = samples.channels();
    const size_t pixels = samples.total();
    const bool gray = layout.photometric == PHOTOMETRIC_MINISBLACK;
    if (layout.bits == 16 && output.dtype != TSK_DTYPE_UINT8) {
        cv::Mat rgb(samples.rows, samples.cols, CV_16UC3);
        const uint16_t *from = reinterpret_cast<const uint16_t *>(samples.data);
        uint16_t *to = reinterpret_cast<uint16_t *>(rgb.data);
        for (size_t i = 0; i < pixels; i++) {
            const uint16_t *p = from + i * n;
            to[3 * i] = p[0];
            to[3 * i + 1] = gray ? p[0] : p[1];
            to[3 * i + 2] = gray ? p[0] : p[2];
        }
        return toOutputDepth(rgb, output);
    }
    cv::Mat rgb(samples.rows, samples.cols, CV_8UC3);
    uint8_t *to = rgb.data;
    const bool premultiply = premultipliesAlpha(layout);
    if (layout.bits == 8) {
        const uint8_t *from = samples.data;
        for (size_t i = 0; i < pixels; i++) {
            const uint8_t *p = from + i * n;
            if (gray) {
                to[3 * i] = to[3 * i + 1] = to[3 * i + 2] = p[0];
            } else if (premultiply) {
                const uint8_t *m = premultiplied(p[3]);
                to[3 * i] = m[p[0]], to[3 * i + 1] = m[p[1]], to[3 * i + 2] = m[p[2]];
            } else {
                to[3 * i] = p[0], to[3 * i + 1] = p[1], to[3 * i + 2] = p[2];
            }
        }
    } else {
        const uint16_t *from = reinterpret_cast<const uint16_t *>(samples.data);
        const uint8_t *to8 = depth16To8();
        for (size_t i = 0; i < pixels; i++) {
            const uint16_t *p = from + i * n;
            if (gray) {
                to[3 * i] = to[3 * i + 1] = to[3 * i + 2] = static_cast<uint8_t>(p[0] >> 8);
            } else if (premultiply) {
                const uint8_t *m = premultiplied(to8[p[3]]);
                to[3 * i] = m[to8[p[0]]], to[3 * i + 1] = m[to8[p[1]]], to[3 * i + 2] = m[to8[p[2]]];
            } else {
                to[3 * i] = to8[p[0]], to[3 * i + 1] = to8[p[1]], to[3 * i + 2] = to8[p[2]];
            }
        }
    }
    return toOutputDepth(rgb, output);
}

} // namespace tsk
