package io.understudy.stack.engine;

/** Work for the stack thread, sent from any thread through {@link Engine#execute(StackCommand)}. */
@FunctionalInterface
public interface StackCommand<H> {
    /** Runs on the stack thread with the handler it owns and the engine's current time. */
    void run(H handler, long now);
}
