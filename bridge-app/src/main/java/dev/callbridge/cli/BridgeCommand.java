package dev.callbridge.cli;

import java.lang.reflect.Constructor;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bridge} command line: a thin shell over the service and the operators' tools. */
@Command(name = "bridge", mixinStandardHelpOptions = true, versionProvider = BridgeCommand.Version.class,
        description = "Mirrors telephony calls from Kafka into Slack's Calls API; receives the webhooks that bring them.",
        subcommands = {RunCommand.class, IngressCommand.class, ShowCallCommand.class, ReconcileCommand.class, RedriveCommand.class})
public final class BridgeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The command line, its subcommands reading settings from {@code environment}. */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine commandLine = new CommandLine(new BridgeCommand(), new EnvironmentFactory(environment));
        // Not picocli's 2, which bridge reconcile answers for drift: a script must tell the two apart.
        commandLine.getCommandSpec().exitCodeOnInvalidInput(USAGE_ERROR);
        commandLine.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(USAGE_ERROR));
        return commandLine;
    }

    /** Exit code for a command line that cannot be parsed (sysexits' EX_USAGE). */
    static final int USAGE_ERROR = 64;

    /** Gives commands that take the environment in their constructor the one given, not the process's. */
    private static final class EnvironmentFactory implements CommandLine.IFactory {
        private final Map<String, String> environment;

        EnvironmentFactory(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(Map.class);
                constructor.setAccessible(true);
                return constructor.newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BridgeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"call-lifecycle bridge " + (version == null ? "(development build)" : version)};
        }
    }
}
