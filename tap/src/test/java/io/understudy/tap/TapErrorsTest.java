package io.understudy.tap;

import static org.assertj.core.api.Assertions.assertThat;

import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;

class TapErrorsTest {
    private static String describe(String op, Errno errno) {
        return TapErrors.describe(op, "us-tap0", errno.intValue());
    }

    @Test
    void missingTunDeviceTellsToLoadTheModule() {
        String expected = "cannot open /dev/net/tun: no such device — load the tun module (modprobe tun)"
                + " or run where /dev/net/tun exists";
        assertThat(describe(TapErrors.OPEN, Errno.ENOENT)).isEqualTo(expected);
        assertThat(describe(TapErrors.OPEN, Errno.ENODEV)).isEqualTo(expected);
        assertThat(describe(TapErrors.OPEN, Errno.ENXIO)).isEqualTo(expected);
    }

    @Test
    void permissionProblemsTellToRunAsRootOrGrantCapNetAdmin() {
        assertThat(describe(TapErrors.OPEN, Errno.EACCES))
                .isEqualTo("cannot open /dev/net/tun: permission denied — run as root or grant CAP_NET_ADMIN");
        assertThat(describe(TapErrors.TUNSETIFF, Errno.EPERM))
                .isEqualTo("TUNSETIFF on TAP 'us-tap0' failed: permission denied — run as root or grant CAP_NET_ADMIN");
        assertThat(describe(TapErrors.TUNSETIFF, Errno.EACCES)).contains("permission denied — run as root");
    }

    @Test
    void busyDeviceSuggestsAnotherInstance() {
        assertThat(describe(TapErrors.TUNSETIFF, Errno.EBUSY)).isEqualTo(
                "TAP device 'us-tap0' is busy — another process has it open (is another Understudy instance running?)");
    }

    @Test
    void invalidArgumentOnAttachNamesTheClashingInterface() {
        assertThat(describe(TapErrors.TUNSETIFF, Errno.EINVAL)).isEqualTo(
                "TUNSETIFF on TAP 'us-tap0' failed: an interface named 'us-tap0' exists but is not a single-queue"
                        + " TAP device — choose another name, or delete that interface if it is a stale one of yours"
                        + " (ip link delete us-tap0)");
    }

    @Test
    void rejectedOffloadsSuggestOpeningWithout() {
        assertThat(describe(TapErrors.TUNSETOFFLOAD, Errno.EINVAL)).isEqualTo(
                "TUNSETOFFLOAD on TAP 'us-tap0' failed: the kernel rejected the offload flags"
                        + " — open the device without offloads");
    }

    @Test
    void deletedInterfaceTellsToReopen() {
        assertThat(describe(TapErrors.READ, Errno.EBADFD)).isEqualTo(
                "read on TAP 'us-tap0' failed: the interface was deleted while open — open the device again");
    }

    @Test
    void otherErrorsNameTheErrno() {
        assertThat(describe(TapErrors.WRITE, Errno.EIO))
                .isEqualTo("write on TAP 'us-tap0' failed: Input/output error (EIO)");
        assertThat(describe(TapErrors.OPEN, Errno.EMFILE))
                .isEqualTo("cannot open /dev/net/tun: Too many open files (EMFILE)");
        assertThat(describe(TapErrors.POLL, Errno.EBUSY)).isEqualTo("poll on TAP 'us-tap0' failed: Device or resource busy (EBUSY)");
    }

    @Test
    void unknownErrnoIsShownAsANumber() {
        assertThat(TapErrors.describe(TapErrors.READ, "us-tap0", 9999)).isEqualTo("read on TAP 'us-tap0' failed: errno 9999");
    }
}
