/// This release of NK Sync: what `--version` prints, what `GET /health` and the client's
/// `User-Agent` say. Bumped with each release (CHANGELOG.md); the protocol version is
/// ``Wire/protocolVersion``, which changes far more rarely.
public enum Release {
    public static let version = "0.2.0-dev"

    /// `nkclient/0.2.0-dev (NK Sync protocol 1)`.
    public static func userAgent(_ program: String) -> String {
        "\(program)/\(version) (NK Sync protocol \(Wire.protocolVersion))"
    }
}
