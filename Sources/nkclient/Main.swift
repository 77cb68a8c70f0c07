import ArgumentParser
import NKClient

/// Parses the command line, runs the command, and reports errors in one place.
@main
enum Main {
    static func main() async {
        do {
            var command = try NKClientCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ClientError {
            ErrorReporting.report(error)
        } catch {
            ErrorReporting.report(commandLineError: error)
        }
    }
}
