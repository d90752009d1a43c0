/// Internal failure type of the image kernel: thrown inside, turned into a status at the C boundary.
#ifndef TIFFSHARD_KERNEL_FAILURE_HPP
#define TIFFSHARD_KERNEL_FAILURE_HPP

#include <exception>
#include <string>

#include "image_kernel.h"

namespace tsk {

/// A per-file failure: a status code and a human-readable reason (never contains the path).
class Failure : public std::exception {
  public:
    Failure(tsk_status status, std::string message) : status_(status), message_(std::move(message)) {}

    /// The status reported to the caller.
    tsk_status status() const noexcept { return status_; }

    /// The reason, as written into the caller's error buffer.
    const char *what() const noexcept override { return message_.c_str(); }

  private:
    tsk_status status_;
    std::string message_;
};

/// Throws a `Failure` with a printf-formatted message.
[[noreturn]] void fail(tsk_status status, const char *format, ...) __attribute__((format(printf, 2, 3)));

} // namespace tsk
#endif
