import LinuxSystem
import Testing

@Suite struct SharedMemoryTests {
    @Test func twoMappingsOfOneMemfdShareBytes() throws {
        let first = try SharedMemory(name: "shard-test", size: 1 << 20)
        #expect(try first.fileDescriptor.isCloseOnExec())
        #expect(try first.fileDescriptor.status().size == 1 << 20)
        // A second mapping through another descriptor, as a worker maps its inherited memfd.
        let second = try SharedMemory(mapping: try first.fileDescriptor.duplicate(), size: 1 << 20)
        #expect(first.base != second.base)
        first.bytes[0] = 42
        first.bytes[(1 << 20) - 1] = 7
        #expect(second.bytes[0] == 42)
        #expect(second.bytes[(1 << 20) - 1] == 7)
        second.bytes[1000] = 99
        #expect(first.bytes[1000] == 99)
        #expect(first.bytes[500] == 0)
    }

    @Test func memfdIsNamedInProc() throws {
        let memory = try SharedMemory(name: "tiffshard-ring", size: 4096)
        let target = try FileSystem.readSymbolicLink("/proc/self/fd/\(memory.fileDescriptor.rawValue)")
        #expect(target.hasPrefix("/memfd:tiffshard-ring"))
    }
}
