package dev.callbridge.devkit.ingress;

import dev.callbridge.devkit.ingress.WebhookLoad.Answered;
import dev.callbridge.testkit.EmbeddedKafka;
import dev.callbridge.testkit.Ports;
import dev.callbridge.testkit.TempDirs;
import dev.callbridge.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ingress-soak}: the ingress's crash test. Runs the packaged {@code bridge ingress} (the jar,
 * in a JVM of its own) against an in-process broker, keeps it under a load of signed webhooks, and
 * SIGKILLs it again and again while the load goes on, restarting it each time. Then every webhook
 * that was answered 2xx must have its event in {@code telephony.call-events}: an acknowledged webhook
 * is never lost, whatever moment the process died in.
 */
@Command(name = "ingress-soak", mixinStandardHelpOptions = true,
        description = "SIGKILL bridge ingress under load, again and again; check that no acknowledged webhook's event is lost.")
public final class IngressSoakCommand implements Callable<Integer> {

    private static final Duration READY_WITHIN = Duration.ofSeconds(120);

    @Option(names = "--jar", required = true, paramLabel = "JAR",
            description = "The packaged bridge-app jar (with its lib/ beside it).")
    Path jar;

    @Option(names = "--kills", defaultValue = "10", description = "SIGKILLs of the ingress during the load. Default: ${DEFAULT-VALUE}.")
    int kills;

    @Option(names = "--up-seconds", defaultValue = "2-6", paramLabel = "MIN-MAX",
            description = "How long each ingress takes webhooks, from ready to its SIGKILL (and the last one before the "
                    + "load stops): a random time in this range. Default: ${DEFAULT-VALUE}.")
    String upSeconds;

    @Option(names = "--clients", defaultValue = "16",
            description = "Clients sending webhooks back to back. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--seed", description = "Seed of the kill times (default: random).")
    Long seed;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write the figures as a Markdown table there, e.g. for docs/benchmark.md.")
    Path report;

    @Option(names = "--keep-logs", paramLabel = "DIR", description = "Copy the ingress processes' logs there.")
    Path keepLogs;

    private final PrintStream log = System.out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngressSoakCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("ingress-soak: no jar at " + jar + "; build it with ./mvnw -B package -DskipTests");
            return 2;
        }
        if (!upSeconds.matches("\\d+-\\d+")) {
            System.err.println("ingress-soak: --up-seconds is MIN-MAX, such as 2-6");
            return 2;
        }
        double upMin = Double.parseDouble(upSeconds.substring(0, upSeconds.indexOf('-')));
        double upMax = Math.max(upMin, Double.parseDouble(upSeconds.substring(upSeconds.indexOf('-') + 1)));
        long actualSeed = seed != null ? seed : new Random().nextLong();
        Random random = new Random(actualSeed);
        Path work = Files.createTempDirectory("ingress-soak-");
        Instant startedAt = Instant.now();
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String topic = Topics.CALL_EVENTS;
            kafka.createTopics(6, topic);
            int port = Ports.free();
            Map<String, String> environment = new HashMap<>(WebhookLoad.ingressSettings());
            environment.put("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            environment.put("BRIDGE_INGRESS_HTTP_PORT", Integer.toString(port));
            log.printf("ingress-soak: broker at %s; bridge ingress from %s on port %d; load from %d clients, %d SIGKILLs, "
                    + "each %s s after the ingress is ready, seed %d%n", kafka.bootstrapServers(), jar, port, clients, kills,
                    upSeconds, actualSeed);

            List<Duration> restarts = new ArrayList<>();
            List<Long> killedAtNanos = new ArrayList<>();
            Process ingress = start(environment, work, 1);
            awaitReady(port, ingress);
            WebhookLoad load = new WebhookLoad(port, clients).start();
            long loadStart = System.nanoTime();
            for (int kill = 1; kill <= kills; kill++) {
                // A random moment, so kills land anywhere in a webhook's life: reading it, waiting on Kafka, answering.
                sleepUntil(System.nanoTime() + (long) ((upMin + random.nextDouble() * (upMax - upMin)) * 1e9));
                ingress.destroyForcibly();
                int exit = ingress.waitFor();
                killedAtNanos.add(System.nanoTime());
                long restart = System.nanoTime();
                ingress = start(environment, work, kill + 1);
                awaitReady(port, ingress);
                restarts.add(Duration.ofNanos(System.nanoTime() - restart));
                log.printf("ingress-soak: SIGKILL #%d at +%.1f s (exit %d), ready again after %.1f s%n", kill,
                        (killedAtNanos.get(kill - 1) - loadStart) / 1e9, exit, restarts.get(kill - 1).toMillis() / 1e3);
            }
            sleepUntil(System.nanoTime() + (long) (upMax * 1e9));
            List<Answered> answers = load.stop();
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            ingress.destroy();
            ingress.waitFor(30, TimeUnit.SECONDS);

            Set<String> inKafka = InputTopic.eventIds(kafka.bootstrapServers(), topic);
            List<Answered> acknowledged = answers.stream().filter(Answered::acknowledged).toList();
            List<Answered> lost = acknowledged.stream().filter(a -> !inKafka.contains(a.eventId())).toList();
            long refused = answers.stream().filter(a -> !a.acknowledged() && a.status() != WebhookLoad.NO_ANSWER).count();
            long unanswered = answers.stream().filter(a -> a.status() == WebhookLoad.NO_ANSWER).count();
            long ackedJustBeforeKills = killedAtNanos.stream().mapToLong(killed -> acknowledged.stream()
                    .filter(a -> a.sentNanos() + a.tookNanos() <= killed
                            && a.sentNanos() + a.tookNanos() > killed - 1_000_000_000L).count()).sum();
            // Webhooks out when a kill came: sent before it, their connection broken by it.
            long cutOff = killedAtNanos.stream().mapToLong(killed -> answers.stream()
                    .filter(a -> a.status() == WebhookLoad.NO_ANSWER && a.sentNanos() < killed
                            && a.sentNanos() + a.tookNanos() >= killed - 100_000_000L).count()).sum();
            Summary summary = new Summary(loadSeconds, clients, kills, answers.size(), acknowledged.size(), refused, unanswered,
                    ackedJustBeforeKills, cutOff, inKafka.size(), lost.size(),
                    restarts.stream().mapToLong(Duration::toMillis).average().orElse(0) / 1e3,
                    Duration.between(startedAt, Instant.now()), actualSeed);
            summary.print(log);
            lost.stream().limit(10).forEach(a -> log.println("  LOST: " + a));
            if (report != null) {
                Files.writeString(report, summary.markdown());
                log.println("ingress-soak: report rows in " + report);
            }
            return lost.isEmpty() && !acknowledged.isEmpty() ? 0 : 1;
        } catch (IllegalStateException e) {
            System.err.println("ingress-soak: " + e.getMessage() + " (its log: --keep-logs DIR)");
            return 2;
        } finally {
            if (keepLogs != null) {
                Files.createDirectories(keepLogs);
                try (Stream<Path> logs = Files.list(work)) {
                    for (Path file : logs.toList()) {
                        Files.copy(file, keepLogs.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            TempDirs.deleteRecursively(work);
        }
    }

    /** What the run came to. */
    record Summary(double seconds, int clients, int kills, long sent, long acknowledged, long refused, long unanswered,
            long acknowledgedInTheSecondBeforeAKill, long cutOffByAKill, long eventsInKafka, long lost, double averageRestartSeconds,
            Duration took, long seed) {

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "Webhooks:      %,d sent, %,d answered 2xx, %,d answered otherwise (503 while Kafka "
                    + "or the ingress was not ready), %,d without an answer (the process was down)%n",
                    sent, acknowledged, refused, unanswered);
            out.printf(Locale.ROOT, "Kills:         %d SIGKILLs, %,d webhooks answered 2xx in the second before one, %,d "
                    + "cut off by one; restart to ready %.1f s on average%n", kills, acknowledgedInTheSecondBeforeAKill,
                    cutOffByAKill, averageRestartSeconds);
            out.printf(Locale.ROOT, "Kafka:         %,d events in telephony.call-events%n", eventsInKafka);
            out.printf(Locale.ROOT, "Verdict:       %s (took %d s)%n", lost == 0
                    ? "every acknowledged webhook's event is in Kafka" : lost + " acknowledged webhooks LOST", took.toSeconds());
        }

        String markdown() {
            return String.format(Locale.ROOT, """
                    | figure | value |
                    |---|---:|
                    | load | %.0f s, %d clients |
                    | SIGKILLs of `bridge ingress` | %d (seed %d) |
                    | webhooks sent | %,d |
                    | answered 2xx | %,d |
                    | answered 2xx in the second before a kill | %,d |
                    | under way when a kill came (no answer) | %,d |
                    | answered otherwise (503) | %,d |
                    | no answer (process down) | %,d |
                    | events in `telephony.call-events` | %,d |
                    | **acknowledged webhooks whose event is missing** | **%d** |
                    | restart to ready, average | %.1f s |
                    """, seconds, clients, kills, seed, sent, acknowledged, acknowledgedInTheSecondBeforeAKill, cutOffByAKill, refused,
                    unanswered, eventsInKafka, lost, averageRestartSeconds);
        }
    }

    private Process start(Map<String, String> environment, Path work, int incarnation) throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(javaBin.toString(), "-Xmx256m", "-jar",
                jar.toAbsolutePath().toString(), "ingress")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("ingress-" + incarnation + ".log").toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    private void awaitReady(int port, Process ingress) throws InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!ingress.isAlive()) {
                throw new IllegalStateException("bridge ingress exited with " + ingress.exitValue() + " before it was ready");
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("bridge ingress was not ready within " + READY_WITHIN.toSeconds() + " s");
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

}
