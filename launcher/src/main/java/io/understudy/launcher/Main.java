package io.understudy.launcher;

import io.understudy.launcher.lab.LabException;
import io.understudy.tap.TapException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code understudy}: the command line. */
@Command(name = "understudy",
        description = "A user-space TCP/IPv4 stack on a TAP device with transparent TCP failover.",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {ServeCommand.class, PairCommand.class, TcpClientCommand.class, LabCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failed, 2 bad usage). */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(Main::badUsage);
        cli.setExecutionExceptionHandler(Main::failed);
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (serve, pair, lab, demo)");
    }

    /** A wrong flag or value: one line naming what was wrong, and where help is. */
    private static int badUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String name = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        return 2;
    }

    /** An expected failure (no TAP, no lab, no root) is one line; anything else is a bug and keeps its trace. */
    private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        String name = cli.getCommandSpec().qualifiedName();
        if (e instanceof TapException || e instanceof LabException || e instanceof IllegalStateException
                || e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
            err.println(name + ": " + e.getMessage());
        } else {
            err.println(name + ": unexpected error: " + e);
            e.printStackTrace(err);
        }
        return 1;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"understudy " + (v == null ? "development" : v)};
        }
    }
}
