import Foundation
import Logging
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// swift-log handler appending lines to a file: while the TUI is up nothing may write to the
/// terminal, so every log (Hummingbird's included) goes here. Secrets are never logged.
public struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        /// Appending (O_APPEND), created with mode 600; -1 when the file cannot be opened.
        let fd: Int32
        let lock = NSLock()
        init(path: String) {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        }
        /// One write(2) per line (FileHandle's Data costs conformance lookups at a command's start).
        func write(_ line: String) {
            guard fd >= 0 else { return }
            var line = line
            lock.lock(); defer { lock.unlock() }
            line.withUTF8 { bytes in
                var at = 0
                while at < bytes.count {
                    let n = posixWrite(fd, bytes.baseAddress! + at, bytes.count - at)
                    if n < 0 { if errno == EINTR { continue } else { return } }
                    at += n
                }
            }
        }
    }

    private let sink: Sink
    private let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    init(label: String, sink: Sink, level: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    /// Bootstraps swift-log for the whole process; call once, before anything logs.
    public static func bootstrap(path: String, level: Logger.Level = .info) {
        let sink = Sink(path: path)
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // No ISO8601DateFormatter (ICU) and no `\(level)` (printing an enum reflects over it).
        let stamp = TimeText.iso8601(Date())
        sink.write("\(stamp) \(level.rawValue) \(label): \(Text.printable(message.description, limit: 2000))\(meta)\n")
    }
}
