import Foundation
import GreenVNKit
import Hummingbird

/// Building HTTP answers: JSON envelopes, refusals, and the HTML a broken proxy would send.
enum Reply {
    static func json(_ status: Int, _ body: some Sequence<UInt8>, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: Self.status(status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func success(_ a: Allocation, vnKey: String) -> Response {
        json(200, Wire.envelope(status: 200, data: Wire.json(a, vnKey: vnKey)))
    }

    static func refusal(_ r: Refusal) -> Response {
        var extra: HTTPFields = [:]
        if r.code == 7 { extra[.wwwAuthenticate] = "Basic realm=\"Lead Assist\"" }
        return json(r.httpStatus, r.body, extra: extra)
    }

    /// 429: envelope status 429 and no code (the docs list 429 as a status, not an error code).
    static func throttled(retryAfter seconds: Int) -> Response {
        let body = JSONValue.array([.object(["success": .bool(false), "status": .int(429),
                                             "message": .string("Throttle limit exceeded"), "data": .null])])
        var extra: HTTPFields = [:]
        extra[.retryAfter] = String(max(0, seconds))
        return json(429, body.serialized(), extra: extra)
    }

    static func html(_ status: Int) -> Response {
        let title = "\(status) \(phrase(status))"
        let page = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        var headers: HTTPFields = [:]
        headers[.contentType] = "text/html"
        return Response(status: Self.status(status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func empty() -> Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init())
    }

    /// Out-of-range statuses (an injected `.status(1000)`) become 500 instead of trapping.
    static func status(_ code: Int) -> HTTPResponse.Status {
        let c = (100...599).contains(code) ? code : 500
        return HTTPResponse.Status(code: c, reasonPhrase: phrase(c))
    }

    static func phrase(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 452: return "No Free GreenVN"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(code)"
        }
    }
}
