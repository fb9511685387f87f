import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNStore
import GreenVNWebhooks
import Logging

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Receive Lead Assist's webhooks into the registry (calls, expiries, verifications).",
        discussion: """
        Serves POST /webhooks (any of the four payloads) and POST /webhooks/<kind> (call_complete, \
        caller_verified, verification_failed, deallocated). Point the account settings' webhook URLs \
        at it (the console's :settings, or `greenvn sim --webhook-url`). Calls show in the console's \
        detail pane; an expired allocation moves to the vault; a call event names the greenvn_id of \
        a create whose answer was lost. Bad payloads get a 400 and change nothing.
        """)

    @Option(help: "Address to bind (loopback by default; put a TLS proxy in front for Lead Assist).") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8081
    @Option(help: "Require ?token=TOKEN (or an X-Greenvn-Token header) on every webhook; also GREENVN_WEBHOOK_TOKEN.")
    var token: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is out of range: 0–65535") }
    }

    func run() async throws {
        try await Session.with(connection.flags, connections: .pool) { session in
            let secret = token ?? ProcessInfo.processInfo.environment["GREENVN_WEBHOOK_TOKEN"]
            let receiver = WebhookReceiver(intake: WebhookIntake(operations: session.operations), token: secret,
                                           logger: Logger(label: "greenvn.webhooks")) { status, line in
                Output.line("\(TimeText.absolute(Date()))  \(status == 200 ? "ok " : String(status))  \(line)")
            }
            let shownHost = host, registry = session.registry.description
            do {
                try await receiver.run(host: host, port: port) { bound in
                    Output.line("Receiving Lead Assist webhooks on http://\(shownHost):\(bound)/webhooks\(secret == nil ? "" : "?token=…")")
                    Output.line("  registry: \(registry)")
                }
            } catch {
                throw GreenVNError.configuration("the webhook receiver could not listen on \(host):\(port): \(Text.printable(String(describing: error), limit: 200)). Pick another --port.")
            }
        }
    }
}
