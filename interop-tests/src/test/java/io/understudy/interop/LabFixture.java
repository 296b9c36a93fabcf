package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.launcher.lab.Lab;
import io.understudy.launcher.lab.LabConfig;
import io.understudy.launcher.lab.LabStatus;

/** The standard lab for a test class: down, then up before; down and checked clean after. */
final class LabFixture {
    static final LabConfig LAB = LabConfig.defaults();
    static final String SERVICE_IP = LAB.serviceAddress();
    static final String SERVICE_MAC = "02:55:53:00:00:02";

    private final Lab lab = new Lab();

    void up() {
        lab.down(LAB);
        LabStatus status = lab.up(LAB);
        assertThat(status.isUp()).as(status.report()).isTrue();
    }

    /** Removes the lab and checks nothing of it is left. */
    void down() {
        lab.down(LAB);
        LabStatus status = lab.status(LAB);
        assertThat(status.isAbsent()).as(status.report()).isTrue();
        assertThat(status.rootLeftovers()).isEmpty();
    }
}
