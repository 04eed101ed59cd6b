package dev.callbridge.emulator;

import java.util.Map;

/**
 * What one method was asked and answered since the last reset.
 *
 * @param requests every request that reached the method, whatever its outcome
 * @param ok answers with {@code "ok": true}
 * @param rateLimited HTTP 429 answers, from the rate limits and from injected bursts
 * @param serverErrors injected HTTP 5xx answers
 * @param dropped connections closed without an answer
 * @param delayed answers held back as slow answers
 * @param errors the {@code error} codes of {@code "ok": false} answers, counted by code
 */
public record MethodCounts(
        long requests,
        long ok,
        long rateLimited,
        long serverErrors,
        long dropped,
        long delayed,
        Map<String, Long> errors) {

    public MethodCounts {
        errors = Map.copyOf(errors);
    }
}
