package org.tiermark.emulation;

/** Emulated tiers cannot run on this machine (not Linux, not root, a tool or kernel feature missing); the message names what. */
public class EmulationUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmulationUnavailableException(String message) {
        super(message);
    }
}
