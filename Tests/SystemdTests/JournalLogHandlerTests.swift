import LinuxSystem
import Logging
import Systemd
import TestSupport
import Testing

@Suite struct JournalLogHandlerTests {
    /// Logs through a handler writing into a pipe and returns the lines written.
    func capture(level: Logger.Level = .trace, _ body: (Logger) -> Void) throws -> [String] {
        let pipe = try Pipe.create()
        defer { pipe.read.close() }
        do {
            defer { pipe.write.close() }
            let fd = pipe.write.rawValue
            let logger = Logger(label: "tiffshard") { JournalLogHandler(label: $0, level: level, fileDescriptor: fd) }
            body(logger)
        }
        let text = String(decoding: try pipe.read.readToEnd(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func prefixesSyslogPriorityAndLabel() throws {
        let lines = try capture { logger in
            logger.trace("t")
            logger.debug("d")
            logger.info("i")
            logger.notice("n")
            logger.warning("w")
            logger.error("e")
            logger.critical("c")
        }
        #expect(
            lines == [
                "<7>tiffshard: t", "<7>tiffshard: d", "<6>tiffshard: i", "<5>tiffshard: n",
                "<4>tiffshard: w", "<3>tiffshard: e", "<2>tiffshard: c",
            ])
    }

    @Test func oneRecordIsOneLineWithSortedMetadata() throws {
        let lines = try capture { logger in
            var logger = logger
            logger[metadataKey: "worker"] = "2"
            logger.warning("bad file\nsecond line", metadata: ["path": "/in/a b.tif", "code": "7"])
        }
        #expect(lines == [#"<4>tiffshard: bad file\nsecond line code=7 path="/in/a b.tif" worker=2"#])
    }

    @Test func levelFiltersRecords() throws {
        let lines = try capture(level: .info) { logger in
            logger.debug("hidden")
            logger.info("shown")
        }
        #expect(lines == ["<6>tiffshard: shown"])
    }

    @Test func concurrentRecordsDoNotInterleave() throws {
        let pipe = try Pipe.create()
        defer { pipe.read.close() }
        let fd = pipe.write.rawValue
        let payload = String(repeating: "x", count: 300)
        // Eight writer threads against one reader (this test): the pipe fills, writers block.
        let writers = try (0..<8).map { thread in
            try ThreadResult {
                let logger = Logger(label: "t\(thread)") { JournalLogHandler(label: $0, fileDescriptor: fd) }
                for index in 0..<100 {
                    logger.info("\(index) \(payload)")
                }
            }
        }
        let closer = try ThreadResult {
            for writer in writers { try writer.value() }
            pipe.write.close()
        }
        let lines = String(decoding: try pipe.read.readToEnd(), as: UTF8.self).split(separator: "\n")
        try closer.value()
        #expect(lines.count == 800)
        #expect(lines.allSatisfy { $0.hasPrefix("<6>t") && $0.hasSuffix(payload) && $0.count < 320 })
    }

    @Test func defaultHandlerWritesToStandardError() {
        let handler = JournalLogHandler(label: "x")
        #expect(handler.fileDescriptor == 2)
        #expect(handler.logLevel == .info)
    }
}
