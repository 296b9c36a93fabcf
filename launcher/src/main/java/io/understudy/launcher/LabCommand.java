package io.understudy.launcher;

import io.understudy.launcher.lab.Lab;
import io.understudy.launcher.lab.LabStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code understudy lab up|down|status}. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Create, inspect or remove the lab: network namespaces us-client (kernel TCP, 10.201.0.1/24) "
                + "and us-server (a bridge with the client's veth peer and TAPs us-tap0 and us-tap1). "
                + "The service address 10.201.0.2 belongs to the stack. No route leaves the namespaces.",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class})
final class LabCommand {
    @Command(name = "up", mixinStandardHelpOptions = true, description = "Create the lab, or repair it; idempotent.")
    static final class Up implements Runnable {
        @Mixin LabOptions lab;
        @Mixin LoggingOptions logging;

        @Override
        public void run() {
            logging.apply();
            LabStatus status = new Lab().up(lab.config());
            System.out.println(status.report());
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove the lab and everything in it; idempotent.")
    static final class Down implements Runnable {
        @Mixin LabOptions lab;
        @Mixin LoggingOptions logging;

        @Override
        public void run() {
            logging.apply();
            new Lab().down(lab.config());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show what of the lab exists.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @Mixin LabOptions lab;
        @Mixin LoggingOptions logging;

        @Override
        public Integer call() {
            logging.apply();
            LabStatus status = new Lab().status(lab.config());
            System.out.println(status.report());
            return status.isUp() ? 0 : 3;
        }
    }
}
