package io.understudy.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit and captures its output. */
final class Cmd {
    /** What a finished command left behind. */
    record Result(List<String> argv, int exitCode, String output) {
        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", argv) + " exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private Cmd() {}

    /** Runs {@code argv} (stdout and stderr merged), killing it by PID after {@code timeoutSeconds}. */
    static Result run(int timeoutSeconds, String... argv) {
        List<String> args = List.of(argv);
        try {
            Path out = Files.createTempFile("understudy-cmd", ".log");
            try {
                Process p = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", args) + " did not finish in " + timeoutSeconds
                            + " s:\n" + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Result(args, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + args + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + args, e);
        }
    }

    /** Runs {@code argv} inside network namespace {@code ns}. */
    static Result inNetns(String ns, int timeoutSeconds, String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(argv));
        return run(timeoutSeconds, all.toArray(String[]::new));
    }
}
