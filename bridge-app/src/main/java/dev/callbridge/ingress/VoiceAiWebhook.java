package dev.callbridge.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import dev.callbridge.model.json.WireJson;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * The voice-AI platform's webhooks ({@code call_started}, {@code call_ended}, {@code call_analyzed}):
 * JSON signed in {@code X-Provider-Signature} with the shared webhook secret. The signature is
 * checked over the raw body before anything in it is read.
 */
final class VoiceAiWebhook implements Webhook {

    static final String PATH = "/voice-ai/webhooks";
    private static final ObjectMapper JSON = WireJson.mapper();

    private final VoiceAiSignature signature;
    private final VoiceAiEvents events;
    private final int maxBodyBytes;
    private final Clock clock;

    VoiceAiWebhook(IngressConfig.Provider voiceAi, InputRecords records, int maxBodyBytes, Clock clock) {
        this.signature = new VoiceAiSignature(voiceAi.secret());
        this.events = new VoiceAiEvents(new JoinLinks(voiceAi.joinUrlTemplate()), records);
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public String name() {
        return "voice_ai";
    }

    @Override
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    @Override
    public Intake read(WebhookRequest request) {
        String problem = signature.problem(request.header(VoiceAiSignature.HEADER), request.body(), clock.instant());
        if (problem != null) {
            return new Intake.Unauthorized(problem);
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            return new Intake.Invalid(List.of(new Violation("body", RejectReason.UNPARSEABLE, "is not JSON: " + reason)));
        }
        return events.read(body);
    }
}
