package dev.callbridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bridge} command line: a thin shell over the service and the operators' tools. */
@Command(name = "bridge", mixinStandardHelpOptions = true, versionProvider = BridgeCommand.Version.class,
        description = "Mirrors telephony calls from Kafka into Slack's Calls API.",
        subcommands = {RunCommand.class})
public final class BridgeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BridgeCommand()).execute(args));
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
