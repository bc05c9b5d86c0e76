package org.dsv3.runner;

import org.dsv3.model.backend.BackendException;
import org.dsv3.model.gguf.GgufException;
import picocli.CommandLine;

/**
 * Turns the errors a user can cause (a bad file, a bad argument) into one clear line on stderr
 * and exit code 1; anything else is a bug and keeps its stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof java.nio.file.FileSystemException fs) { // its message is only the path
            cmd.getErr().println("dsv3 " + cmd.getCommandName() + ": " + fs.getFile() + ": "
                    + org.dsv3.model.gguf.GgufFile.reason(fs));
            return 1;
        }
        if (ex instanceof GgufException || ex instanceof IllegalArgumentException
                || ex instanceof org.dsv3.runner.generate.NonFiniteLogitsException
                || ex instanceof java.io.IOException || ex instanceof UserError || ex instanceof BackendException) {
            cmd.getErr().println("dsv3 " + cmd.getCommandName() + ": " + ex.getMessage());
            return 1;
        }
        cmd.getErr().println("dsv3 " + cmd.getCommandName() + ": internal error:");
        ex.printStackTrace(cmd.getErr());
        return 2;
    }
}
