import Foundation
import GreenVNKit

/// Who acts, as the audit log and outbox leases name them: `$GREENVN_OPERATOR`, else the login
/// name; and this machine's host name. In a team registry that is how colleagues tell each
/// other's work apart.
public enum Identity {
    public static let operatorName: String = {
        if let o = ProcessInfo.processInfo.environment["GREENVN_OPERATOR"]?.trimmingCharacters(in: .whitespaces), !o.isEmpty {
            return Text.printable(o, limit: 64)
        }
        if let pw = getpwuid(getuid()), let n = pw.pointee.pw_name {
            let s = String(cString: n)
            if !s.isEmpty { return Text.printable(s, limit: 64) }
        }
        if let u = ProcessInfo.processInfo.environment["USER"], !u.isEmpty { return Text.printable(u, limit: 64) }
        return "uid \(getuid())"
    }()

    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        let name = String(cString: buffer)
        return Text.printable(name.split(separator: ".").first.map(String.init) ?? name, limit: 64)
    }()

    /// "asha on ops-3"
    public static var described: String { host.isEmpty ? operatorName : "\(operatorName) on \(host)" }
}
