import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serialises opening (creating, migrating) registries across processes.
///
/// GRDB's migrator reads which migrations were applied and then applies the rest in separate
/// transactions; two processes opening one new file at the same moment both saw it empty and
/// the second failed with "table allocation already exists" (seen: `greenvn show` and
/// `greenvn import` started together on a fresh data dir). An advisory lock on the directory
/// (no extra file to leave behind) makes the second wait a few milliseconds and then find the
/// schema in place. Held only while opening, never while working.
struct OpenLock {
    private let fd: Int32

    init(directory: String) throws {
        fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Unlocks (closing the descriptor releases the lock).
    func release() { close(fd) }
}
