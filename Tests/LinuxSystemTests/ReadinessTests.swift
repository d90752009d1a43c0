import LinuxSystem
import TestSupport
import Testing

/// Epoll with the descriptors the reactor watches: pipes, timerfd, eventfd.
@Suite struct ReadinessTests {
    @Test func epollReportsReadableWritableAndHangup() throws {
        let epoll = try Epoll()
        #expect(try epoll.fileDescriptor.isCloseOnExec())
        let pipe = try Pipe.create()
        defer { pipe.read.close() }
        try epoll.add(pipe.read, events: .readable, token: 7)
        try epoll.add(pipe.write, events: .writable, token: 8)
        let initial = try epoll.wait(timeoutMilliseconds: 0)
        #expect(initial.map(\.token) == [8])
        #expect(initial.first?.events == .writable)

        try epoll.remove(pipe.write)
        try pipe.write.writeAll([1])
        let ready = try epoll.wait(timeoutMilliseconds: -1)
        #expect(ready.map(\.token) == [7])
        #expect(ready.first?.events == .readable)

        try epoll.modify(pipe.read, events: [.readable, .readHangup], token: 9)
        pipe.write.close()
        let hungUp = try epoll.wait(timeoutMilliseconds: -1)
        #expect(hungUp.map(\.token) == [9])
        #expect(hungUp.first?.events.contains([.readable, .hangup]) == true)
    }

    @Test func epollWaitTimesOutEmpty() throws {
        let epoll = try Epoll()
        let pipe = try Pipe.create()
        defer {
            pipe.read.close()
            pipe.write.close()
        }
        try epoll.add(pipe.read, events: .readable, token: 1)
        #expect(try epoll.wait(timeoutMilliseconds: 0).isEmpty)
        #expect(try epoll.wait(timeoutMilliseconds: 1).isEmpty)
    }

    @Test func epollReturnsAtMostMaxEvents() throws {
        let epoll = try Epoll()
        let pipes = try (0..<5).map { _ in try Pipe.create() }
        defer {
            pipes.forEach {
                $0.read.close()
                $0.write.close()
            }
        }
        for (index, pipe) in pipes.enumerated() {
            try epoll.add(pipe.write, events: .writable, token: UInt64(index) | 1 << 40)
        }
        #expect(try epoll.wait(timeoutMilliseconds: 0, maxEvents: 2).count == 2)
        let all = try epoll.wait(timeoutMilliseconds: 0, maxEvents: 64)
        #expect(Set(all.map(\.token)) == Set((0..<5).map { UInt64($0) | 1 << 40 }))
    }

    @Test func timerFiresOnceAndRepeatedly() throws {
        let timer = try TimerDescriptor()
        #expect(try timer.fileDescriptor.isCloseOnExec())
        #expect(try timer.readExpirations() == 0)
        let epoll = try Epoll()
        try epoll.add(timer.fileDescriptor, events: .readable, token: 1)
        try timer.arm(after: .milliseconds(1), repeating: nil)
        #expect(try epoll.wait(timeoutMilliseconds: -1).map(\.token) == [1])
        #expect(try timer.readExpirations() == 1)
        #expect(try timer.readExpirations() == 0)

        try timer.arm(after: .milliseconds(1), repeating: .milliseconds(1))
        for _ in 0..<3 {
            #expect(try epoll.wait(timeoutMilliseconds: -1).map(\.token) == [1])
            #expect(try timer.readExpirations() >= 1)
        }
        try timer.disarm()
        _ = try timer.readExpirations()
        #expect(try epoll.wait(timeoutMilliseconds: 20).isEmpty)
    }

    @Test func eventDescriptorWakesFromAnotherThread() throws {
        let event = try EventDescriptor()
        #expect(try event.fileDescriptor.isCloseOnExec())
        #expect(try event.drain() == 0)
        let epoll = try Epoll()
        try epoll.add(event.fileDescriptor, events: .readable, token: 5)
        let signaller = try ThreadResult {
            try event.signal()
            try event.signal()
        }
        #expect(try epoll.wait(timeoutMilliseconds: -1).map(\.token) == [5])
        try signaller.value()
        #expect(try event.drain() == 2)
        #expect(try epoll.wait(timeoutMilliseconds: 0).isEmpty)
    }

    @Test func monotonicClockAdvancesAndWallClockIsRecent() throws {
        let first = MonotonicClock.now()
        let timer = try TimerDescriptor()
        let epoll = try Epoll()
        try epoll.add(timer.fileDescriptor, events: .readable, token: 1)
        try timer.arm(after: .milliseconds(2), repeating: nil)
        _ = try epoll.wait(timeoutMilliseconds: -1)
        #expect(MonotonicClock.now() - first >= .milliseconds(2))
        #expect(WallClock.nowNanoseconds() > 1_700_000_000 * 1_000_000_000)
    }
}
