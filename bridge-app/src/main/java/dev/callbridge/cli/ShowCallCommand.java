package dev.callbridge.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.model.json.WireJson;
import dev.callbridge.model.state.CallState;
import dev.callbridge.operator.CallViews;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bridge show-call ID}: one call's current view, from {@code slack.calls}. */
@Command(name = "show-call", mixinStandardHelpOptions = true,
        description = "Show one call's bridge view (desired and observed Slack state) from slack.calls.")
final class ShowCallCommand implements Callable<Integer> {

    @Mixin
    ToolSettings settings;

    @Parameters(paramLabel = "EXTERNAL_UNIQUE_ID", description = "The call's external_unique_id.")
    String call;

    @Option(names = "--json", description = "Print the view as JSON, as slack.calls holds it.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    ShowCallCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig config;
        try {
            config = settings.load(environment, false);
        } catch (BridgeConfigException e) {
            return ToolSettings.configurationError(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        Optional<CallState> view;
        try (CallViews views = new CallViews(config.adminProperties(), config.topics().calls())) {
            view = views.latest(call);
        }
        if (view.isEmpty()) {
            out.println("No view of call " + call + " in " + config.topics().calls().name()
                    + " (never seen, or forgotten past its retention).");
            out.flush();
            return 1;
        }
        if (json) {
            out.println(WireJson.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(view.get()));
        } else {
            CallViewText.print(view.get(), out);
        }
        out.flush();
        return 0;
    }
}
