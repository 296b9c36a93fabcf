package io.understudy.launcher.lab;

/** An external command could not be started, timed out or exited non-zero. */
public class CommandFailedException extends LabException {

    private final Command command;
    private final int exitCode;
    private final String stderr;

    /** {@code exitCode} is -1 when the command did not run to completion. */
    public CommandFailedException(Command command, int exitCode, String stderr) {
        super("command failed" + (exitCode >= 0 ? " (exit " + exitCode + ")" : "") + ": " + command
                + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        this.command = command;
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    public Command command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }
}
