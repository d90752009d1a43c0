/// Test-only TIFF writer built on libtiff: writes every layout the image kernel claims to read.
#ifndef TIFFSHARD_TEST_TIFF_H
#define TIFFSHARD_TEST_TIFF_H
#include <stdint.h>
#include <stddef.h>

typedef struct {
    uint32_t width;
    uint32_t height;
    uint16_t bits_per_sample;   ///< 8 or 16 (1 for bilevel fallback tests)
    uint16_t samples_per_pixel; ///< 1 gray, 3 RGB, 4 RGBA
    uint16_t compression;       ///< TIFF tag value: 1 none, 5 LZW, 8 deflate, 32773 PackBits, 7 JPEG, ...
    uint16_t predictor;         ///< 1 none, 2 horizontal
    uint32_t tile_width;        ///< 0 = strips; else tile size (multiple of 16)
    uint32_t tile_height;
    uint32_t rows_per_strip;    ///< 0 = libtiff default
    uint8_t big_tiff;           ///< 1 = write BigTIFF
    uint8_t big_endian;         ///< 1 = "MM" byte order
    uint8_t planar_separate;    ///< 1 = PLANARCONFIG_SEPARATE
    uint16_t pages;             ///< >= 1; pages after the first hold different pixel values
    uint8_t photometric_palette;///< 1 = write an 8-bit palette image (fallback path)
    // Fields below were added after the original contract; zero keeps the old behaviour.
    uint8_t alpha_kind;         ///< spp 2/4 ExtraSamples: 0 unassociated, 1 associated, 2 unspecified, 3 no tag
    uint8_t min_is_white;       ///< 1 = PHOTOMETRIC_MINISWHITE gray (fallback path)
    uint8_t ycbcr;              ///< 1 = PHOTOMETRIC_YCBCR (with compression 7: JPEG-in-TIFF, fallback path)
    uint8_t sample_format;      ///< 0/1 unsigned int, 2 signed int, 3 IEEE float (use 32 bits)
    uint16_t orientation;       ///< 0 = no tag, else the Orientation tag value (1 = top-left)
    uint16_t jpeg_quality;      ///< JPEG quality for compression 7 (0 = 90)
} ttw_spec;

/// Writes a TIFF with deterministic pixels derived from `seed`: smooth gradients plus noise, so that
/// compression and resizing are meaningful. Returns 0 on success, else -1 with a message in `error`.
int ttw_write(const char *path, const ttw_spec *spec, uint32_t seed, char *error, size_t error_capacity);

/// Writes a minimal valid-looking TIFF header whose IFD declares width x height 8-bit gray with a
/// tiny (wrong) strip: the "memory bomb" that must be rejected before decoding.
/// The file is about 40 KiB. Returns 0 on success, -1 on I/O failure (errno set).
int ttw_write_lying_header(const char *path, uint32_t width, uint32_t height);

#endif
