// The image kernel without the process pool: what one tiffshard worker does per file, in a loop.
// Linked against the kernel's object files of a tiffshard build (.build/release/CImageKernel.build)
// by bench/profile.py, so callgrind or perf see exactly the code that build runs, with no
// supervisor, ring or socket around it.
//
//   kernel_driver [--width W] [--height H] [--repeat R] FILE...
//
// Calls tsk_init() once, then tsk_decode() on every FILE (R times over), with the default output
// of `tiffshard convert`: uint8, gray, stretch, first page, linear, max-pixels 2^30. Under
// `valgrind --tool=callgrind --toggle-collect=tsk_decode` only the decoding is counted.
// The last stderr line is `kernel_driver: decoded N of M files (R rounds); failed K`.

#include "image_kernel.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char **argv) {
    int width = 128, height = 128, repeat = 1;
    std::vector<const char *> files;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if ((arg == "--width" || arg == "--height" || arg == "--repeat") && i + 1 < argc) {
            int value = std::atoi(argv[++i]);
            (arg == "--width" ? width : arg == "--height" ? height : repeat) = value;
        } else {
            files.push_back(argv[i]);
        }
    }
    if (files.empty() || width < 1 || height < 1 || repeat < 1) {
        std::fprintf(stderr, "usage: kernel_driver [--width W] [--height H] [--repeat R] FILE...\n");
        return 64;
    }
    tsk_init();
    tsk_output output{};
    output.width = width;
    output.height = height;
    output.dtype = TSK_DTYPE_UINT8;
    output.color = TSK_COLOR_GRAY;
    output.resize = TSK_RESIZE_STRETCH;
    output.pages = TSK_PAGES_FIRST;
    output.interpolation = TSK_INTER_LINEAR;
    output.pad_value = 0;
    output.max_pixels = uint64_t(1) << 30;
    std::vector<uint8_t> row(size_t(width) * height);
    char error[1024];
    size_t decoded = 0, failed = 0;
    for (int r = 0; r < repeat; ++r) {
        for (const char *file : files) {
            tsk_info info{};
            tsk_placement placement{};
            tsk_status status = tsk_decode(file, 0, &output, row.data(), &info, &placement, error, sizeof error);
            if (status == TSK_OK) {
                ++decoded;
            } else {
                ++failed;
                std::fprintf(stderr, "kernel_driver: %s: status %d: %s\n", file, int(status), error);
            }
        }
    }
    std::fprintf(stderr, "kernel_driver: decoded %zu of %zu files (%d rounds); failed %zu\n", decoded,
                 files.size() * size_t(repeat), repeat, failed);
    return failed == 0 ? 0 : 1;
}
