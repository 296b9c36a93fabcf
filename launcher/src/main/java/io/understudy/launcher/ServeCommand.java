package io.understudy.launcher;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code understudy serve}: one stack instance on a TAP device, until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run one stack instance on a TAP device until Ctrl-C (or SIGTERM). It answers ARP and ping "
                + "for its address and serves echo (port 7), discard (9) and chargen (19) over TCP; on shutdown it "
                + "prints its counters.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin StackOptions stack;

    @Option(names = "--no-classic-services", description = "Do not serve echo, discard and chargen.")
    boolean noClassicServices;

    @Mixin LoggingOptions logging;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        StackSettings settings = stack.settings(spec.commandLine());
        CountDownLatch stopped = new CountDownLatch(1);
        try (StackInstance instance = StackInstance.start(settings, !noClassicServices, stopped::countDown)) {
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "understudy-shutdown"));
            stopped.await();
            return instance.failed() ? 1 : 0;
        }
    }
}
