package io.understudy.launcher.lab;

import java.util.ArrayList;
import java.util.List;

/** One external command, as an argument vector (no shell involved). */
public record Command(List<String> argv) {

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program name");
        }
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv));
    }

    /** {@code ip -n NS args...}: an iproute2 command acting on network namespace {@code ns}. */
    public static Command ip(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns));
        argv.addAll(List.of(args));
        return new Command(argv);
    }

    /** {@code ip netns exec NS argv...}: any program run inside network namespace {@code ns}. */
    public static Command inNamespace(String ns, String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(argv));
        return new Command(all);
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
