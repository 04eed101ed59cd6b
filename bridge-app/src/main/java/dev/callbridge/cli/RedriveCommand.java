package dev.callbridge.cli;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.operator.Redriver;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bridge redrive}: sends dead letters back where they came from — all of them, a time range,
 * or some calls — or, with {@code --dry-run}, only lists what it would do.
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Send dead letters back where they came from.",
            "events: records of telephony.call-events.dlt go back to the input topic.",
            "ops: operations of slack.call-ops.dlt go back to the reconciler, which plans them afresh."})
final class RedriveCommand implements Callable<Integer> {

    @Mixin
    ToolSettings settings;

    @Option(names = "--dead-letters", required = true, paramLabel = "events|ops",
            description = "Which dead-letter topic: ${COMPLETION-CANDIDATES}.", converter = SourceConverter.class,
            completionCandidates = SourceCandidates.class)
    Redriver.Source source;

    @Option(names = "--call", paramLabel = "ID", description = "Only this call (external_unique_id); repeatable.")
    Set<String> calls = Set.of();

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only records dead-lettered at or after TIME (ISO-8601, e.g. 2026-11-22T08:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only records dead-lettered before TIME.")
    String until;

    @Option(names = "--dry-run", description = "List what would be redriven and where; write nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    RedriveCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        Redriver.Selection selection = new Redriver.Selection(calls, instant("--since", since), instant("--until", until));
        BridgeConfig config;
        try {
            config = settings.load(environment, false);
        } catch (BridgeConfigException e) {
            return ToolSettings.configurationError(e);
        }
        List<Redriver.Item> items = new Redriver(config.adminProperties(), config.topics())
                .redrive(source, selection, dryRun);
        PrintWriter out = spec.commandLine().getOut();
        for (Redriver.Item item : items) {
            out.printf("%s  key=%s  %s  %s%n", item.deadLetter(), item.key(),
                    item.skipped() ? "(skipped)" : (dryRun ? "would go to " : "-> ") + item.target(), item.note());
        }
        long redriven = items.stream().filter(i -> !i.skipped()).count();
        out.printf("%s %d of %d selected dead letters%s.%n", dryRun ? "Would redrive" : "Redrove", redriven,
                items.size(), items.size() > redriven ? " (" + (items.size() - redriven) + " skipped)" : "");
        out.flush();
        return 0;
    }

    private Instant instant(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be an ISO-8601 instant such as 2026-11-22T08:00:00Z, got '" + text + "'");
        }
    }

    static final class SourceConverter implements CommandLine.ITypeConverter<Redriver.Source> {
        @Override
        public Redriver.Source convert(String value) {
            return switch (value) {
                case "events" -> Redriver.Source.EVENTS;
                case "ops" -> Redriver.Source.OPS;
                default -> throw new CommandLine.TypeConversionException("expected events or ops, got '" + value + "'");
            };
        }
    }

    static final class SourceCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("events", "ops").iterator();
        }
    }
}
