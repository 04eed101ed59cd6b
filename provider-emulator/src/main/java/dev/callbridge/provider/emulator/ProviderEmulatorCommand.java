package dev.callbridge.provider.emulator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code provider-emulator}: runs the voice-AI platform emulator on its own until interrupted. */
@Command(
        name = "provider-emulator",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a voice-AI platform's POST /calls/end and GET /calls/{call_id} (Bearer API key),",
            "sends its signed call_started, call_ended and call_analyzed webhooks (or Twilio's signed",
            "status callbacks for a Twilio-flavoured call), and an inspection and control API under",
            "/_emulator/ (POST /_emulator/calls starts a call). Prints the API base URL and runs until interrupted."
        })
public final class ProviderEmulatorCommand implements Callable<Integer> {

    static final String DEFAULT_API_KEY = "provider-emulator-key";
    static final String DEFAULT_WEBHOOK_SECRET = "provider-emulator-webhook-secret";

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--port", defaultValue = "8090",
            description = "Port to listen on; 0 for any free port (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--api-key", defaultValue = DEFAULT_API_KEY, paramLabel = "KEY",
            description = "The API key the end-call and call APIs take as a Bearer token (default: ${DEFAULT-VALUE}).")
    private String apiKey;

    @Option(names = "--webhook-secret", defaultValue = DEFAULT_WEBHOOK_SECRET, paramLabel = "SECRET",
            description = "The key of every webhook's X-Provider-Signature (default: ${DEFAULT-VALUE}).")
    private String webhookSecret;

    @Option(names = "--webhook-url", paramLabel = "URL",
            description = "Where the platform's webhooks go (default: nowhere, no webhooks).")
    private String webhookUrl;

    @Option(names = "--analysis-delay", defaultValue = "PT2S", paramLabel = "DURATION",
            description = "How long after call_ended the call_analyzed webhook follows, ISO-8601 (default: ${DEFAULT-VALUE}).")
    private Duration analysisDelay;

    @Option(names = "--twilio-status-callback-url", paramLabel = "URL",
            description = "Where a Twilio-flavoured call's status callbacks go (default: nowhere).")
    private String twilioStatusCallbackUrl;

    @Option(names = "--twilio-auth-token", defaultValue = "emulated-twilio-auth-token", paramLabel = "TOKEN",
            description = "The auth token that keys X-Twilio-Signature (default: ${DEFAULT-VALUE}).")
    private String twilioAuthToken;

    @Option(names = "--fault-end-ignored",
            description = "POST /calls/end answers 200 with an empty body and ends nothing.")
    private boolean endIgnored;

    @Option(names = "--fault-webhook-delay-ms", defaultValue = "0",
            description = "Wait before sending each webhook attempt, ms (default: ${DEFAULT-VALUE}).")
    private long webhookDelayMillis;

    @Option(names = "--fault-duplicate-webhooks", description = "Deliver every webhook twice, with the same event_id.")
    private boolean duplicateWebhooks;

    public static void main(String[] args) {
        // Run on its own, the emulator logs as its jar configures; embedded, it leaves logging to its host.
        System.getProperties().putIfAbsent("logback.configurationFile", "dev/callbridge/provider/emulator/logback.xml");
        System.exit(new CommandLine(new ProviderEmulatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        ProviderEmulator emulator = emulator().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "provider-emulator-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println(emulator.baseUrl());
        out.println("inspection API: " + emulator.inspectionUrl());
        out.flush();
        stopped.await();
        return 0;
    }

    /** The emulator these options describe, not yet started. */
    ProviderEmulator emulator() {
        try {
            return ProviderEmulator.builder()
                    .host(host)
                    .port(port)
                    .apiKey(apiKey)
                    .webhookSecret(webhookSecret)
                    .webhookUrl(webhookUrl)
                    .analysisDelay(analysisDelay)
                    .twilioStatusCallbackUrl(twilioStatusCallbackUrl)
                    .twilioAuthToken(twilioAuthToken)
                    .faults(new Faults(endIgnored, webhookDelayMillis, duplicateWebhooks))
                    .build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
