package dev.callbridge.emulator;

import com.slack.api.Slack;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One started emulator per test class and an SDK pointed at it; before each test it is reset to a
 * clean state with no faults and the class's own rate limits.
 */
final class EmulatorPerClass implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private final Supplier<SlackEmulator> starter;
    private SlackEmulator emulator;
    private Slack slack;
    private RateLimits rateLimits;

    /** An emulator with {@link SlackSdk}'s tokens and no rate limits. */
    EmulatorPerClass() {
        this(() -> SlackSdk.startEmulator(RateLimits.unlimited()));
    }

    /** An emulator started by {@code starter}, for classes that need another directory or limits. */
    EmulatorPerClass(Supplier<SlackEmulator> starter) {
        this.starter = starter;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        emulator = starter.get();
        slack = SlackSdk.slack(emulator);
        rateLimits = emulator.client().rateLimits();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        EmulatorClient client = emulator.client();
        client.faults(Faults.none());
        client.rateLimits(rateLimits);
        client.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        emulator.stop();
    }

    SlackEmulator emulator() {
        return emulator;
    }

    Slack slack() {
        return slack;
    }
}
