import Foundation
import NKClient

/// How the command line waits for a server that answers 429.
enum BusyServer {
    /// The default retry policy, saying `server busy; retrying in Ns` on stderr once per request.
    static var policy: RetryPolicy {
        RetryPolicy(onWait: { delay, attempt in
            if attempt == 1 { Output.notice("server busy; retrying in \(seconds(delay))s") }
        })
    }

    /// `0.5` or `2`.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        guard atto > 0 else { return String(whole) }
        return String(format: "%g", Double(whole) + Double(atto) / 1e18)
    }
}
