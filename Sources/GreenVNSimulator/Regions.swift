import GreenVNKit

/// Where the simulator's VNs come from: each documented region has an STD code (its landlines)
/// and a span of Indian PIN-code prefixes (what `preferences.pin_code` points at).
extension Region {
    /// The trunk code of the region's main city, without the leading 0.
    var stdCode: String {
        switch self {
        case .DL: return "11"
        case .MU: return "22"
        case .MH: return "20"
        case .WB: return "33"
        case .AP: return "40"
        case .TN: return "44"
        case .GJ: return "79"
        case .KA: return "80"
        case .KL: return "484"
        case .RJ: return "141"
        case .MP: return "755"
        }
    }
}

enum PinCodeRegion {
    /// First two digits of a PIN code → region, per India Post's postal circles.
    static let spans: [(ClosedRange<Int>, Region)] = [
        (11...19, .DL), (20...28, .DL), (90...99, .DL),
        (30...34, .RJ), (36...39, .GJ), (40...40, .MU), (41...44, .MH), (45...49, .MP),
        (50...53, .AP), (56...59, .KA), (60...64, .TN), (67...69, .KL), (70...85, .WB),
    ]

    /// The region a PIN code belongs to; a prefix outside every span (e.g. 35, 54, 86) gets
    /// the numerically nearest region, as the docs promise "the closest" supported one.
    static func region(forPinCode pin: String) -> Region? {
        guard pin.count >= 2, let prefix = Int(pin.prefix(2)) else { return nil }
        var best: (distance: Int, region: Region)?
        for (span, region) in spans {
            let d = span.contains(prefix) ? 0 : min(abs(span.lowerBound - prefix), abs(span.upperBound - prefix))
            if best == nil || d < best!.distance { best = (d, region) }
        }
        return best?.region
    }
}
