package io.understudy.tap;

import jnr.constants.platform.Errno;

/** Turns a failed system call on a TAP device into a one-line message naming cause and fix. */
final class TapErrors {
    static final String OPEN = "open";
    static final String TUNSETIFF = "TUNSETIFF";
    static final String TUNSETVNETHDRSZ = "TUNSETVNETHDRSZ";
    static final String TUNSETOFFLOAD = "TUNSETOFFLOAD";
    static final String FCNTL = "fcntl";
    static final String READ = "read";
    static final String WRITE = "write";
    static final String POLL = "poll";

    private static final int ENOENT = Errno.ENOENT.intValue();
    private static final int ENODEV = Errno.ENODEV.intValue();
    private static final int ENXIO = Errno.ENXIO.intValue();
    private static final int EACCES = Errno.EACCES.intValue();
    private static final int EPERM = Errno.EPERM.intValue();
    private static final int EBUSY = Errno.EBUSY.intValue();
    private static final int EINVAL = Errno.EINVAL.intValue();
    private static final int EBADFD = Errno.EBADFD.intValue();

    private TapErrors() {}

    /**
     * The message for system call {@code op} (one of this class's constants; {@link #OPEN} is
     * the open of {@code /dev/net/tun}) failing with {@code errno} on TAP device {@code name}.
     */
    static String describe(String op, String name, int errno) {
        boolean open = op.equals(OPEN);
        String failed = open ? "cannot open " + TapDevice.TUN_PATH : op + " on TAP '" + name + "' failed";
        if (open && (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
            return failed + ": no such device — load the tun module (modprobe tun) or run where /dev/net/tun exists";
        }
        if (errno == EACCES || errno == EPERM) {
            return failed + ": permission denied — run as root or grant CAP_NET_ADMIN";
        }
        if (op.equals(TUNSETIFF) && errno == EBUSY) {
            return "TAP device '" + name + "' is busy — another process has it open (is another Understudy instance running?)";
        }
        if (op.equals(TUNSETIFF) && errno == EINVAL) {
            return failed + ": an interface named '" + name + "' exists but is not a single-queue TAP device"
                    + " — choose another name, or delete that interface if it is a stale one of yours (ip link delete " + name + ")";
        }
        if (op.equals(TUNSETOFFLOAD) && errno == EINVAL) {
            return failed + ": the kernel rejected the offload flags — open the device without offloads";
        }
        if (errno == EBADFD) {
            return failed + ": the interface was deleted while open — open the device again";
        }
        Errno known = Errno.valueOf(errno);
        return failed + ": " + (known.defined() ? known.description() + " (" + known.name() + ")" : "errno " + errno);
    }
}
