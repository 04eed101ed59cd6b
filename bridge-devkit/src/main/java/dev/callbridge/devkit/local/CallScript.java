package dev.callbridge.devkit.local;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

/**
 * One demo call planned from start to end: who is on it, who joins and leaves when, whether the
 * title changes. Events are written only as each step comes due, so that they carry the time they
 * are sent at and a call stopped early can still be ended in the same history.
 *
 * @param binary whether the call's events go out in binary mode rather than structured mode
 * @param sequenced whether the provider numbers the call's events, or leaves ordering to {@code time}
 * @param steps in order; the first starts the call and the last ends it
 */
record CallScript(String callId, boolean binary, boolean sequenced, List<Step> steps) {

    /** Something that happens {@code at} a time after the call started. */
    record Step(Duration at, Function<CallEvents, CallEvent> write) {}

    /** Most providers number their events; the rest exercise the bridge's ordering by time. */
    private static final double SEQUENCED_SHARE = 0.8;
    private static final double OWN_CHANNEL_SHARE = 0.4;
    private static final double DESKTOP_LINK_SHARE = 0.5;
    private static final double LEAVE_SHARE = 0.3;
    private static final double REJOIN_SHARE = 0.6;
    private static final double RETITLE_SHARE = 0.25;
    /** Half the providers report the duration themselves; for the rest the bridge works it out. */
    private static final double DURATION_GIVEN_SHARE = 0.5;
    /** Joins spread over the first stretch of the call, so a viewer sees people arrive. */
    private static final double LAST_JOIN = 0.4;
    private static final double LAST_LEAVE = 0.85;
    private static final double LAST_REJOIN = 0.95;

    private static final List<String> SLACK_USERS = List.of(
            "U0MAYA", "U0OMAR", "U0SOFIA", "U0KWAME", "U0INGRID", "U0DIEGO",
            "U0HANA", "U0LEON", "U0NADIA", "U0PETRA", "W0ARJUN", "W0ELENA");
    private static final List<String> CALLER_NAMES = List.of(
            "Priya Raman", "Jonas Weber", "Amaka Obi", "Lucía Fernández", "Kenji Sato", "Fatima Zahra",
            "Tom O'Brien", "Chloé Martin", "Ravi Menon", "Grace Kim", "Mateus Costa", "Aino Virtanen");
    /** Callers from the first part of the list have a picture; the others show as initials. */
    private static final int CALLERS_WITH_AVATAR = 8;
    private static final String AVATAR_URL = "https://api.dicebear.com/9.x/personas/svg?seed=";
    private static final List<String> TITLES = List.of(
            "Support line", "Billing question", "Weekly standup", "Incident bridge: checkout latency",
            "Sales demo with Acme Corp", "Onboarding call", "Design review", "Customer escalation",
            "Interview: backend engineer", "Partner sync", "Renewal discussion", "On-call handover");
    private static final List<String> TITLE_SUFFIXES = List.of("escalated", "follow-up", "recording", "wrap-up");
    private static final List<String> CHANNELS = List.of("C0SUPPORT", "C0SALES", "C0INCIDENTS", "C0STANDUP");
    private static final List<String> DISCONNECT_REASONS = List.of(
            "completed", "caller_hangup", "agent_hangup", "transferred");

    CallScript {
        steps = List.copyOf(steps);
    }

    /** Draws a call whose length and size follow {@code settings}, in workspace {@code teamId} ({@code null}: the default). */
    static CallScript plan(Random random, DemoTraffic.Settings settings, String teamId) {
        String callId = uuid(random);
        long shortest = settings.shortestCall().toMillis();
        long length = shortest + (long) (random.nextDouble() * (settings.longestCall().toMillis() - shortest));
        List<Participant> people = cast(random, 1 + random.nextInt(settings.maxParticipants()));
        Participant host = people.get(0);

        String joinUrl = "https://meet.demo-pbx.example/j/" + callId;
        String desktopUrl = random.nextDouble() < DESKTOP_LINK_SHARE ? "demopbx://join/" + callId : null;
        String displayId = "DEMO-" + (1000 + random.nextInt(9000));
        String title = pick(random, TITLES);
        String channel = random.nextDouble() < OWN_CHANNEL_SHARE ? pick(random, CHANNELS) : null;
        // Slack needs a Slack user as creator: the first one on the call, or an agent who set it up.
        String createdBy = people.stream().map(Participant::slackId).filter(Objects::nonNull).findFirst()
                .orElseGet(() -> pick(random, SLACK_USERS));

        List<Step> steps = new ArrayList<>();
        steps.add(new Step(Duration.ZERO, events -> events.started(new CallEventData.Started(
                joinUrl, desktopUrl, displayId, title, createdBy, events.now().getEpochSecond(), channel, teamId,
                List.of(host)))));
        for (Participant person : people.subList(1, people.size())) {
            long joinAt = (long) (length * (0.02 + (LAST_JOIN - 0.02) * random.nextDouble()));
            steps.add(new Step(Duration.ofMillis(joinAt), events -> events.joined(person)));
            if (random.nextDouble() < LEAVE_SHARE) {
                long leaveAt = between(random, joinAt, (long) (length * LAST_LEAVE));
                steps.add(new Step(Duration.ofMillis(leaveAt), events -> events.left(person)));
                if (random.nextDouble() < REJOIN_SHARE) {
                    long rejoinAt = between(random, leaveAt, (long) (length * LAST_REJOIN));
                    steps.add(new Step(Duration.ofMillis(rejoinAt), events -> events.joined(person)));
                }
            }
        }
        if (random.nextDouble() < RETITLE_SHARE) {
            String newTitle = title + " (" + pick(random, TITLE_SUFFIXES) + ")";
            long at = (long) (length * (0.2 + 0.6 * random.nextDouble()));
            steps.add(new Step(Duration.ofMillis(at), events -> events.updated(newTitle, null, null)));
        }
        steps.sort(Comparator.comparing(Step::at));

        Long duration = random.nextDouble() < DURATION_GIVEN_SHARE ? Math.round(length / 1000.0) : null;
        String reason = pick(random, DISCONNECT_REASONS);
        steps.add(new Step(Duration.ofMillis(length), events -> events.ended(duration, reason)));
        return new CallScript(callId, random.nextDouble() < settings.binaryShare(),
                random.nextDouble() < SEQUENCED_SHARE, steps);
    }

    /** The writer of this call's events, starting at {@code start}. */
    CallEvents events(String source, Instant start) {
        return sequenced ? CallEvents.sequenced(callId, source, start) : CallEvents.unsequenced(callId, source, start);
    }

    /** Moves {@code events} on to the time of step {@code index}, which follows the one before it, and writes its event. */
    CallEvent write(int index, CallEvents events) {
        Duration previous = index == 0 ? Duration.ZERO : steps.get(index - 1).at();
        events.after(steps.get(index).at().minus(previous));
        return steps.get(index).write().apply(events);
    }

    /** The most people a call can have: everyone in the demo's cast. */
    static int castSize() {
        return SLACK_USERS.size() + CALLER_NAMES.size();
    }

    /** A random version 4 UUID drawn from {@code random}, so a seeded run repeats its call ids. */
    static String uuid(Random random) {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static List<Participant> cast(Random random, int size) {
        List<Participant> everyone = new ArrayList<>();
        SLACK_USERS.forEach(id -> everyone.add(Participant.slackUser(id)));
        for (int i = 0; i < CALLER_NAMES.size(); i++) {
            String name = CALLER_NAMES.get(i);
            // 555-01xx numbers are reserved for fiction, so the demo never names a real line.
            String externalId = String.format(Locale.ROOT, "tel:+1555010%02d", i);
            String avatar = i < CALLERS_WITH_AVATAR ? AVATAR_URL + URLEncoder.encode(name, StandardCharsets.UTF_8) : null;
            everyone.add(new Participant(null, externalId, name, avatar));
        }
        Collections.shuffle(everyone, random);
        return List.copyOf(everyone.subList(0, size));
    }

    /** A time strictly after {@code from} and before {@code until}, away from both ends. */
    private static long between(Random random, long from, long until) {
        return from + Math.max(1, (long) ((until - from) * (0.2 + 0.7 * random.nextDouble())));
    }

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
