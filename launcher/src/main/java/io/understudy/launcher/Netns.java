package io.understudy.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/**
 * Runs code with the calling thread inside a named network namespace ({@code ip netns}). A
 * network namespace is per thread in Linux and Java threads are kernel threads, so
 * {@code setns(2)} moves just this thread in and back out; a TAP device or socket opened
 * meanwhile stays in the namespace it was opened in and works from any thread.
 */
final class Netns {
    /** libc, as jnr-ffi binds it; public because jnr generates the implementation elsewhere. */
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        int setns(int fd, int nstype);
    }

    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000;
    private static final LibC libc = LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
    private static final jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(libc);

    private Netns() {}

    /** Runs {@code body} inside namespace {@code name}, or right here when {@code name} is null. */
    static <T> T call(String name, Callable<T> body) throws Exception {
        if (name == null) {
            return body.call();
        }
        Path target = Path.of("/run/netns", name);
        if (!Files.exists(target)) {
            throw new IllegalStateException("network namespace '" + name + "' does not exist — run 'bin/understudy lab up' first");
        }
        int home = open("/proc/thread-self/ns/net");
        try {
            int there = open(target.toString());
            try {
                enter(there, name);
            } finally {
                libc.close(there);
            }
            try {
                return body.call();
            } finally {
                enter(home, "of this process");
            }
        } finally {
            libc.close(home);
        }
    }

    private static int open(String path) {
        int fd = libc.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("cannot open " + path + ": " + errno());
        }
        return fd;
    }

    private static void enter(int fd, String name) {
        if (libc.setns(fd, CLONE_NEWNET) != 0) {
            throw new IllegalStateException("cannot enter network namespace " + name + ": " + errno()
                    + " — entering a namespace needs root (CAP_SYS_ADMIN)");
        }
    }

    private static String errno() {
        int e = runtime.getLastError();
        return jnr.constants.platform.Errno.valueOf(e).description() + " (errno " + e + ")";
    }
}
