import CLinuxShim
import Glibc

/// Anonymous shared memory: a memfd mapped read-write and shared, so that another process mapping
/// the same descriptor (inherited across `posix_spawn`) sees the same bytes.
public final class SharedMemory: @unchecked Sendable {
    /// The memfd; close-on-exec, so pass it to a child explicitly. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor
    /// The mapped size in bytes.
    public let size: Int
    /// Start of the mapping, `size` bytes long, valid until `deinit`.
    public let base: UnsafeMutableRawPointer

    /// Creates a zero-filled memfd of `size` bytes named `name` (shown in `/proc/PID/fd` as
    /// `/memfd:name`) and maps it.
    ///
    /// The corresponding C functions are `memfd_create` (`MFD_CLOEXEC`), `ftruncate` and `mmap`.
    public convenience init(name: String, size: Int) throws {
        precondition(size > 0, "SharedMemory needs a positive size")
        let fd = FileDescriptor(rawValue: try SystemCall.value("memfd_create", path: name) { tsl_memfd_create(name) })
        do {
            try fd.truncate(to: size)
            // The pages are allocated (and zeroed) by the kernel now, in one call: a shortage is an error
            // here, at start-up, not a SIGBUS when a worker first writes a row.
            _ = try SystemCall.value("fallocate", path: name) { tsl_allocate(fd.rawValue, Int64(size)) }
        } catch {
            fd.close()
            throw error
        }
        try self.init(mapping: fd, size: size)
    }

    /// Maps `size` bytes of an existing memfd, e.g. one a worker inherited. Takes ownership of `fd`:
    /// it is closed by `deinit`, or right away if mapping fails.
    ///
    /// The corresponding C function is `mmap`.
    public init(mapping fd: FileDescriptor, size: Int) throws {
        precondition(size > 0, "SharedMemory needs a positive size")
        do {
            self.base = try Self.map(fd, size: size)
        } catch {
            fd.close()
            throw error
        }
        self.fileDescriptor = fd
        self.size = size
    }

    /// The whole mapping as a buffer.
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    /// Unmaps the memory and closes the descriptor.
    ///
    /// The corresponding C functions are `munmap` and `close`.
    deinit {
        munmap(base, size)
        fileDescriptor.close()
    }

    /// `mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)`.
    private static func map(_ fd: FileDescriptor, size: Int) throws -> UnsafeMutableRawPointer {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0)
        guard let address, address != MAP_FAILED else {
            throw SystemCall.lastError("mmap")
        }
        return address
    }
}
