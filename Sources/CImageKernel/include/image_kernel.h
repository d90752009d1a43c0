/// tiffshard image kernel: decode a TIFF and resize it into a caller-owned 8-bit grayscale buffer.
///
/// Plain C ABI over C++ (libtiff + OpenCV). Every C++ exception is caught at this boundary.
/// Conversions are exactly those of OpenCV's `cv::imread(path, IMREAD_GRAYSCALE)` (4.6, which goes
/// through libtiff's TIFFReadRGBA*): gray 16-bit -> `v >> 8`; RGB -> `(4899*R + 9617*G + 1868*B +
/// 8192) >> 14`; RGB 16-bit -> each channel `(v + 128) / 257` first, then the RGB formula; RGBA with
/// unassociated alpha -> each channel premultiplied `(c*a + 127) / 255` first (associated,
/// unspecified or undeclared alpha is ignored); page 0 of multi-page files.
/// Thread-safe after `tsk_init`: scratch memory and captured libtiff messages are per thread.
#ifndef TIFFSHARD_IMAGE_KERNEL_H
#define TIFFSHARD_IMAGE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a kernel call. Anything but TSK_OK comes with a message in the caller's error buffer.
typedef enum {
    TSK_OK = 0,
    TSK_OPEN_FAILED = 1,      ///< the file could not be opened or read (errno text in the message)
    TSK_NOT_TIFF = 2,         ///< no TIFF signature (II*\0, MM\0*, II+\0, MM\0+)
    TSK_TOO_LARGE = 3,        ///< declared width*height exceeds the pixel limit; nothing was decoded
    TSK_DECODE_FAILED = 4,    ///< libtiff (and the cv::imread fallback) could not decode the data
    TSK_UNSUPPORTED = 5,      ///< a layout neither the direct path nor the fallback handles
    TSK_INTERNAL = 6,         ///< unexpected C++ exception (a bug or an impossible condition)
    TSK_OUT_OF_MEMORY = 7,    ///< an allocation failed (std::bad_alloc, OpenCV StsNoMem): the worker's
                              ///< address-space limit, not necessarily a bad file; worth a later retry
} tsk_status;

/// Interpolation modes, mapped to cv::INTER_*.
typedef enum {
    TSK_INTER_LINEAR = 0,
    TSK_INTER_AREA = 1,
    TSK_INTER_NEAREST = 2,
    TSK_INTER_CUBIC = 3,
    TSK_INTER_LANCZOS = 4,
} tsk_interpolation;

/// Sample type of the output (`dtype`): NumPy `|u1`, `<u2`, `<f4`.
typedef enum {
    TSK_DTYPE_UINT8 = 0,
    TSK_DTYPE_UINT16 = 1,
    TSK_DTYPE_FLOAT32 = 2,
} tsk_dtype;

/// Channels of the output (`color`): 1 (gray) or 3 interleaved in R, G, B order.
typedef enum {
    TSK_COLOR_GRAY = 0,
    TSK_COLOR_RGB = 1,
} tsk_color;

/// How a w x h page becomes W x H (`resize`; formulas in the README).
typedef enum {
    TSK_RESIZE_STRETCH = 0, ///< cv::resize to W x H
    TSK_RESIZE_FIT = 1,     ///< keep the aspect ratio, whole image inside, pad with `pad_value`
    TSK_RESIZE_CROP = 2,    ///< keep the aspect ratio, cover W x H, centre window
} tsk_resize;

/// Which images are pages (`pages`).
typedef enum {
    TSK_PAGES_FIRST = 0, ///< directory 0, as cv::imread reads it; `page` must be 0
    TSK_PAGES_ALL = 1,   ///< page k is the k-th directory of the main chain that is not reduced-resolution
} tsk_pages;

/// What one output row is: geometry, sample type, channels, resize mode and the source limit.
/// A row is `height` rows of `width * channels` samples of `dtype`, C order, no padding.
typedef struct {
    int32_t width;
    int32_t height;
    tsk_dtype dtype;
    tsk_color color;
    tsk_resize resize;
    tsk_pages pages;
    tsk_interpolation interpolation;
    double pad_value;        ///< value of the canvas outside the image with TSK_RESIZE_FIT (in the output dtype)
    uint64_t max_pixels;     ///< largest page accepted (width * height), 0 = no limit
} tsk_output;

/// Where the decoded page landed: output pixel (X, Y) is pixel (X - offset_x, Y - offset_y) of the page
/// resized to resized_width x resized_height (stretch: W x H at 0, 0; fit: offsets >= 0; crop: <= 0).
typedef struct {
    uint32_t resized_width;
    uint32_t resized_height;
    int32_t offset_x;
    int32_t offset_y;
} tsk_placement;

/// What the kernel learned about the source (the decoded page).
typedef struct {
    uint32_t width;
    uint32_t height;
    uint16_t bits_per_sample;
    uint16_t samples_per_pixel;
    uint32_t pages;          ///< pages of the file: images of the main IFD chain that are not reduced-resolution
                             ///< (NewSubfileType bit 0 clear), i.e. not overviews, pyramid levels or thumbnails
    uint16_t compression;    ///< TIFF compression tag value
    uint8_t used_fallback;   ///< 1 when cv::imread decoded it instead of the direct libtiff path
    uint8_t big_tiff;        ///< 1 for BigTIFF
    uint8_t by_value;        ///< 1 when decoded by value from libtiff where cv::imread cannot read the page
                             ///< or misreads it (float32 beyond OpenCV, planar-separate wide samples)
    uint16_t sample_format;  ///< TIFF SampleFormat (1 unsigned, 2 signed, 3 float)
    uint16_t photometric;    ///< TIFF Photometric, 0xFFFF when absent
    uint32_t directory;      ///< index in the main IFD chain of the decoded page
} tsk_info;

/// One-time per-process setup: OpenCV single-threaded, its log level ERROR, libtiff's stderr
/// handlers replaced by capture into the error messages. Idempotent.
void tsk_init(void);

/// Reads only the header of `path` (page 0): signature check, dimensions, sample layout.
/// Returns TSK_TOO_LARGE if width*height > max_pixels (0 = no limit), TSK_UNSUPPORTED if neither
/// path can decode the layout; `info->used_fallback` tells whether decoding would use cv::imread.
tsk_status tsk_probe(const char *_Nonnull path, uint64_t max_pixels, tsk_info *_Nonnull info,
                     char *_Nonnull error, size_t error_capacity);

/// Decodes page 0 of `path`, converts to 8-bit gray like IMREAD_GRAYSCALE, and resizes into
/// `destination` (dst_width*dst_height bytes, row stride dst_width) with `interpolation`.
/// The size is checked against `max_pixels` before any pixel data is read. Truncated or corrupt
/// data is TSK_DECODE_FAILED with libtiff's message; the direct path stops at the first libtiff error.
/// On failure `destination` is left untouched; `info` holds what the header declared, if read.
tsk_status tsk_decode_resize(const char *_Nonnull path, uint8_t *_Nonnull destination, int32_t dst_width,
                             int32_t dst_height, tsk_interpolation interpolation, uint64_t max_pixels,
                             tsk_info *_Nonnull info, char *_Nonnull error, size_t error_capacity);

/// Decodes page `page` (0-based, counting only pages as `tsk_info.pages` does) of `path` into
/// `destination` as `output` says: the exact semantics of the README's "Output options" (OpenCV's
/// `cv::imread` flags for the dtype and colour, `convertTo` by value, `cv::resize` in the output type,
/// fit/crop placement). `destination` holds width * height * channels samples of the dtype.
/// On failure `destination` is left untouched. `placement` says where the page landed.
tsk_status tsk_decode(const char *_Nonnull path, uint32_t page, const tsk_output *_Nonnull output,
                      void *_Nonnull destination, tsk_info *_Nonnull info, tsk_placement *_Nonnull placement,
                      char *_Nonnull error, size_t error_capacity);

/// Reference for tests: the same contract as `tsk_decode` computed the plain way, with
/// `cv::imreadmulti`/`cv::imread` of Debian's OpenCV, `cvtColor`, `convertTo` and `cv::resize`.
tsk_status tsk_reference_decode(const char *_Nonnull path, uint32_t page, const tsk_output *_Nonnull output,
                                void *_Nonnull destination, tsk_placement *_Nonnull placement,
                                char *_Nonnull error, size_t error_capacity);

/// Self-test of the SIGBUS guard of mapped reads: writes 1 MiB to `scratch_path`, maps it, truncates it to
/// 0 and copies from the mapping. Returns 1 if the copy was stopped and reported (the guard works), 0 if
/// it was not, -1 if the test could not be set up. For tests; `tsk_init` must have been called.
int tsk_selftest_mapped_copy_guard(const char *_Nonnull scratch_path);

/// Reference path for tests and benchmarks: `cv::imread(path, IMREAD_GRAYSCALE)` + `cv::resize`.
tsk_status tsk_reference_decode_resize(const char *_Nonnull path, uint8_t *_Nonnull destination,
                                       int32_t dst_width, int32_t dst_height,
                                       tsk_interpolation interpolation, char *_Nonnull error,
                                       size_t error_capacity);

#ifdef __cplusplus
}
#endif
#endif
