package dev.callbridge.config;

/** A configuration value that is missing or wrong; the message names the key and what it should be. */
public final class BridgeConfigException extends RuntimeException {

    public BridgeConfigException(String message) {
        super(message);
    }
}
