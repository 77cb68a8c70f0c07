/// A failure of the command line itself (not of the server library), with its exit status.
struct CommandLineError: Error {
    var message: String
    var status: Int32

    init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }
}
