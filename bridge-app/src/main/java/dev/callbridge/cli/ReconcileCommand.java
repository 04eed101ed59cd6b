package dev.callbridge.cli;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.config.ConfigSource;
import dev.callbridge.operator.Drift;
import dev.callbridge.operator.DriftCheck;
import dev.callbridge.operator.DriftCheck.Finding;
import dev.callbridge.slack.SdkSlackClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bridge reconcile ID}: compares one call in Slack ({@code calls.info}) with the bridge's
 * view and, with {@code --repair}, has the bridge repair the drift. Exit codes: 0 in sync (or
 * repaired), 1 nothing to compare, 2 drift found and not repaired, 3 still drifting after the wait,
 * 75 an operation is in flight (try again), 78 bad configuration.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "Compare one call in Slack (calls.info) with the bridge's view; --repair fixes the drift.")
final class ReconcileCommand implements Callable<Integer> {

    static final int DRIFT = 2;
    static final int STILL_DRIFTING = 3;

    @Mixin
    ToolSettings settings;

    @Parameters(paramLabel = "EXTERNAL_UNIQUE_ID", description = "The call's external_unique_id.")
    String call;

    @Option(names = "--repair", description = "Hand Slack's answer to the bridge, which sends what repairs the drift.")
    boolean repair;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "With --repair, how long to wait for Slack to be in sync again (e.g. 30s, 2m; 0 to not wait). "
                    + "Default: ${DEFAULT-VALUE}.")
    String waitFor;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    ReconcileCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Duration wait = waitFor.strip().equals("0") ? Duration.ZERO : ConfigSource.parseDuration(waitFor);
        if (wait == null || wait.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--wait must be a duration such as 30s or 2m, got '" + waitFor + "'");
        }
        BridgeConfig config;
        try {
            config = settings.load(environment, true);
        } catch (BridgeConfigException e) {
            return ToolSettings.configurationError(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (SdkSlackClient slack = new SdkSlackClient(config.slackBaseUrl(), config.tokens(), config.slackTimeout(), 1)) {
            DriftCheck driftCheck = new DriftCheck(config.adminProperties(), config.topics(), slack,
                    Clock.systemUTC());
            Finding finding = driftCheck.inspect(call);
            int code = report(finding, out);
            if (code != DRIFT || !repair) {
                out.flush();
                return code;
            }
            Finding.Compared compared = (Finding.Compared) finding;
            if (compared.view().inFlight() != null) {
                out.println("An operation is in flight (" + compared.view().inFlight().op().opId()
                        + "); the repair would race it. Try again shortly.");
                out.flush();
                return ToolSettings.TRY_AGAIN;
            }
            driftCheck.repair(compared);
            out.println("Handed Slack's state to the bridge; it repairs the drift through its usual operations.");
            out.flush();
            return wait.isZero() ? 0 : awaitSync(driftCheck, wait, out);
        }
    }

    private int awaitSync(DriftCheck driftCheck, Duration wait, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Finding latest = null;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            latest = driftCheck.inspect(call);
            if (latest instanceof Finding.Compared compared && compared.drift().inSync()
                    && !compared.drift().unknownToBridge() && compared.view().inFlight() == null) {
                out.println("In sync: Slack shows what the bridge wants.");
                out.flush();
                return 0;
            }
        }
        out.println("Still drifting after " + wait + ":");
        if (latest != null) {
            report(latest, out);
        }
        out.flush();
        return STILL_DRIFTING;
    }

    private int report(Finding finding, PrintWriter out) {
        if (finding instanceof Finding.NoView) {
            out.println("No view of call " + call + " in slack.calls; nothing to compare.");
            return 1;
        }
        if (finding instanceof Finding.NotInSlack notInSlack) {
            out.println("Call " + call + " was never added to Slack (phase " + notInSlack.view().phase()
                    + "); nothing to compare.");
            return 1;
        }
        if (finding instanceof Finding.SlackUnavailable unavailable) {
            out.println("Slack did not show call " + unavailable.view().observed().slackCallId() + ": "
                    + unavailable.reason() + ". Nothing was changed.");
            return 1;
        }
        Finding.Compared compared = (Finding.Compared) finding;
        Drift drift = compared.drift();
        out.println("Call " + call + " is Slack call " + compared.slack().slackCallId() + ".");
        drift.beyondRepair().forEach(line -> out.println("  ! " + line));
        if (drift.inSync() && !drift.unknownToBridge()) {
            out.println("In sync: Slack shows what the bridge wants.");
            return 0;
        }
        if (drift.inSync()) {
            out.println("The bridge's record of Slack is out of date; nothing needs sending.");
        } else {
            out.println("Drift:");
            CallViewText.indented(drift.differences()).forEach(out::println);
        }
        if (!repair) {
            out.println("Run again with --repair to have the bridge " + (drift.inSync() ? "take Slack's state" : "repair it")
                    + ".");
        }
        return DRIFT;
    }
}
