// CLinuxShim: the few Linux calls and macros that Swift's Glibc module does not import.
//
// This header deliberately includes no system header. A shim header that pulls in <sys/socket.h> or
// <sys/epoll.h> under _GNU_SOURCE makes clang attribute those headers to this module, and other Swift
// files then lose Glibc's constants ("cannot find 'SOCK_STREAM' in scope"). Everything here is
// therefore a declared prototype over plain C types; linux_shim.c includes the real headers and checks
// the constants below against them with static assertions.
#ifndef TIFFSHARD_LINUX_SHIM_H
#define TIFFSHARD_LINUX_SHIM_H

#pragma clang assume_nonnull begin

// MARK: - memfd, renameat2, pipe2, prctl

/// memfd_create(name, MFD_CLOEXEC). Returns a descriptor or -1 with errno set.
int tsl_memfd_create(const char *name);
/// fallocate(fd, 0, 0, size): allocates a memfd's pages now (ENOSPC/ENOMEM when memory is short). Returns
/// 0 or -1 with errno.
int tsl_allocate(int fd, long long size);

/// renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE). Returns 0 or -1 with errno set.
int tsl_rename_noreplace(const char *from, const char *to);

/// pipe2(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)). Returns 0 or -1 with errno set.
int tsl_pipe(int *fds, int nonBlocking);

/// prctl(PR_SET_PDEATHSIG, signal). Returns 0 or -1 with errno set.
int tsl_set_parent_death_signal(int signal);

/// prctl(PR_SET_NAME, name): the kernel keeps the first 15 bytes. Returns 0 or -1 with errno set.
int tsl_set_process_name(const char *name);

/// prlimit(pid, resource, newLimit, oldLimit); the limits are `struct rlimit *` (either may be NULL),
/// pid 0 is the calling process. Returns 0 or -1 with errno set.
int tsl_prlimit(int pid, int resource, const void *_Nullable newLimit, void *_Nullable oldLimit);

// MARK: - signals

/// signalfd(-1, {signals}, SFD_NONBLOCK | SFD_CLOEXEC). Returns a descriptor or -1 with errno set.
int tsl_signalfd_create(const int *signals, int count);

/// Size in bytes of one `struct signalfd_siginfo` (the unit read from a signalfd).
#define TSL_SIGNALFD_SIGINFO_SIZE 128

/// Byte offset of `ssi_signo` (uint32_t) inside `struct signalfd_siginfo`.
#define TSL_SIGNALFD_SIGNO_OFFSET 0

/// sigprocmask(how, {signals}, NULL) with how = SIG_BLOCK (block != 0) or SIG_UNBLOCK.
/// Returns 0 or -1 with errno set.
int tsl_sigprocmask(int block, const int *signals, int count);

/// The abbreviated name of a signal without the "SIG" prefix ("SEGV"), or NULL if it has none.
const char *_Nullable tsl_signal_abbreviation(int signal);

/// The highest signal number the kernel supports (SIGRTMAX, 64 on Linux).
int tsl_signal_max(void);

// MARK: - epoll

enum {
    TSL_EPOLLIN = 0x001,
    TSL_EPOLLOUT = 0x004,
    TSL_EPOLLERR = 0x008,
    TSL_EPOLLHUP = 0x010,
    TSL_EPOLLRDHUP = 0x2000,
};

enum { TSL_EPOLL_CTL_ADD = 1, TSL_EPOLL_CTL_DEL = 2, TSL_EPOLL_CTL_MOD = 3 };

/// One ready event, unpacked. (`struct epoll_event` is packed on x86-64 and is not imported.)
typedef struct tsl_epoll_event {
    unsigned int events;
    unsigned long long data;
} tsl_epoll_event;

/// epoll_create1(EPOLL_CLOEXEC). Returns a descriptor or -1 with errno set.
int tsl_epoll_create(void);

/// epoll_ctl(epfd, op, fd, &{events, data}). Returns 0 or -1 with errno set.
int tsl_epoll_ctl(int epfd, int op, int fd, unsigned int events, unsigned long long data);

/// epoll_wait(epfd, events, max, timeout), converting into unpacked events in place.
/// Returns the number of events or -1 with errno set.
int tsl_epoll_wait(int epfd, tsl_epoll_event *events, int max, int timeoutMilliseconds);

// MARK: - timerfd, eventfd

/// timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC). Returns a descriptor or -1.
int tsl_timerfd_create(void);

/// timerfd_settime(fd, 0, {initial, interval}); both 0 disarms. Returns 0 or -1 with errno set.
int tsl_timerfd_settime(int fd, long long initialNanoseconds, long long intervalNanoseconds);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC). Returns a descriptor or -1 with errno set.
int tsl_eventfd_create(void);

// MARK: - wait status macros

int tsl_wifexited(int status);
int tsl_wexitstatus(int status);
int tsl_wifsignaled(int status);
int tsl_wtermsig(int status);
int tsl_wcoredump(int status);

// MARK: - posix_spawn

/// posix_spawn_file_actions_addclosefrom_np(actions, lowFD); `actions` is a
/// `posix_spawn_file_actions_t *`. Returns 0 or an error number.
int tsl_spawn_file_actions_addclosefrom(void *actions, int lowFD);

// MARK: - terminal

/// The column count of the terminal on fd (ioctl TIOCGWINSZ), or -1 if fd is no terminal or reports 0.
int tsl_terminal_columns(int fd);

#pragma clang assume_nonnull end

#endif
