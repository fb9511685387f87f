import Foundation
import Logging

/// swift-log handler appending lines to a file: while the TUI is up nothing may write to the
/// terminal, so every log (Hummingbird's included) goes here. Secrets are never logged.
public struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        let handle: FileHandle?
        let lock = NSLock()
        init(path: String) {
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
        }
        func write(_ line: String) {
            lock.lock(); defer { lock.unlock() }
            handle?.write(Data(line.utf8))
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
