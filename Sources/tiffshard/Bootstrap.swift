import Logging
import Systemd

/// Process-wide set-up shared by the subcommands.
enum Bootstrap {
    /// Installs the journald-prefix log handler once and returns the root logger.
    static func logger(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level) }
        var logger = Logger(label: "tiffshard")
        logger.logLevel = level
        return logger
    }
}
