package io.understudy.launcher.lab;

import java.util.List;

/**
 * One lifecycle step of the lab: the commands that perform it and what it achieves once done,
 * phrased for the log (e.g. {@code created namespace us-client}).
 */
public record Step(String done, List<Command> commands) {

    public Step {
        commands = List.copyOf(commands);
    }

    public Step(String done, Command... commands) {
        this(done, List.of(commands));
    }
}
