package io.understudy.launcher.lab;

/** Runs external commands; the lab's only way to touch the system, so tests can substitute a fake. */
public interface CommandRunner {

    /**
     * Runs {@code command} to completion and returns its standard output.
     *
     * @throws CommandFailedException if it cannot be started, times out or exits non-zero
     */
    String run(Command command);
}
