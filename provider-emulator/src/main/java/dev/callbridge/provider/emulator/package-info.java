/**
 * A voice-AI platform emulator for tests, the local demo and users' staging
 * ({@link dev.callbridge.provider.emulator.ProviderEmulator}, or
 * {@link dev.callbridge.provider.emulator.ProviderEmulatorCommand} on its own): the end-call API and
 * call details, signed call webhooks, and Twilio's status callbacks for a Twilio-flavoured call.
 *
 * <p>Where the platform's documentation is silent the emulator chooses, and says so here:
 * <ul>
 *   <li>{@code POST /calls/end} answers 401 for a missing or wrong key (the documentation names no
 *       status for it); every other failure, an unreadable body included, is an empty 200.
 *   <li>{@code GET /calls/{call_id}} answers the call's {@code call_id}, {@code status}
 *       ({@code in_progress} or {@code ended}), {@code started_at}, {@code ended_at},
 *       {@code disconnect_reason}, and its numbers and agent; 404 for a call it does not know.
 *   <li>Webhooks go out one at a time in the order raised, retried after 1, 2, 4 and 8 seconds; a
 *       retry keeps the {@code event_id} and is signed afresh. A Twilio-flavoured call is told only
 *       through Twilio's callbacks ({@code initiated}, {@code ringing}, {@code in-progress},
 *       {@code completed}, {@code SequenceNumber} 0 to 3), not through the platform's webhooks.
 *   <li>{@code call_analyzed} follows {@code call_ended} after a set delay (2 s by default), with an
 *       analysis generated from the call.
 * </ul>
 */
package dev.callbridge.provider.emulator;
