package dev.callbridge.slackapp;

import dev.callbridge.provider.ProviderClient;
import dev.callbridge.provider.ProviderClient.CallStatus;
import dev.callbridge.provider.ProviderClient.EndAnswer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Ends a call at the platform and confirms it: the end request, then {@code GET /calls/{id}} every
 * poll interval until the platform shows the call ended or the confirmation timeout has passed. The
 * platform answers an end request that failed with an empty 200, so only its view of the call tells
 * whether the call ended.
 */
final class CallEnder {

    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final ProviderClient provider;
    private final Duration confirmTimeout;
    private final Duration pollInterval;
    private final Clock clock;

    CallEnder(ProviderClient provider, Duration confirmTimeout, Duration pollInterval, Clock clock) {
        this.provider = provider;
        this.confirmTimeout = confirmTimeout;
        this.pollInterval = pollInterval;
        this.clock = clock;
    }

    EndCallOutcome end(String callId, String reason) throws InterruptedException {
        Instant deadline = clock.instant().plus(confirmTimeout);
        EndAnswer answer = provider.end(callId, reason);
        switch (answer) {
            case REFUSED -> {
                return EndCallOutcome.FAILED;
            }
            case UNREACHABLE -> {
                return EndCallOutcome.UNREACHABLE;
            }
            case ENDED, NOTHING_SAID -> {
                // Confirmed below.
            }
        }
        while (true) {
            CallStatus status = provider.status(callId);
            switch (status.kind()) {
                case ENDED -> {
                    return answer == EndAnswer.ENDED ? EndCallOutcome.CONFIRMED : EndCallOutcome.ALREADY_ENDED;
                }
                case NOT_FOUND -> {
                    return EndCallOutcome.UNKNOWN_CALL;
                }
                case IN_PROGRESS, REFUSED, UNREACHABLE -> {
                    // Asked again until the deadline: the call may take a moment to end, the platform to answer.
                }
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return EndCallOutcome.NOT_CONFIRMED;
            }
            Thread.sleep(Math.min(pollInterval.toMillis(), left.toMillis()));
        }
    }
}
