package io.understudy.launcher.lab;

/** The lab could not be brought into, or verified in, the requested state. */
public class LabException extends RuntimeException {

    public LabException(String message) {
        super(message);
    }
}
