package dev.callbridge.provider.emulator;

import java.util.List;

/**
 * What the platform's post-call analysis says of an ended call: a summary, a sentiment and where the
 * recording and the transcript are. Generated from the call alone, so the same call always gets the same analysis.
 */
record CallAnalysis(String summary, String sentiment, String recordingUrl, String transcriptUrl) {

    static final String MEDIA_ROOT = "https://media.voice-ai.example/calls/";
    private static final List<String> SENTIMENTS = List.of("positive", "neutral", "negative", "mixed");

    static CallAnalysis of(CallSnapshot call) {
        long seconds = call.durationSeconds() == null ? 0 : call.durationSeconds();
        String summary = call.fromNumber() + " spoke with " + call.agentName() + " for " + seconds / 60 + " min "
                + seconds % 60 + " s; the call ended: " + call.disconnectReason() + ".";
        String sentiment = SENTIMENTS.get(Math.floorMod(call.callId().hashCode(), SENTIMENTS.size()));
        return new CallAnalysis(summary, sentiment, MEDIA_ROOT + call.callId() + "/recording.wav",
                MEDIA_ROOT + call.callId() + "/transcript.txt");
    }
}
