/// The wall clocks of one run of the clock-skew suite: which `FAKETIME` offset each process gets.
struct ClockSetting {
    enum Clients {
        /// No libfaketime at all.
        case real
        /// Replica `i` always runs at `offsets[(i + shift) % offsets.count]`.
        case fixed(shift: Int)
        /// Every `nkclient` process draws an offset (or `+0`): a laptop clock jumping back and forth.
        case jumping
    }

    var name: String
    /// The server's offset; nil runs it on the real clock.
    var server: String?
    var clients: Clients
}
