package dev.callbridge.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhooks as the providers send them to {@code bridge ingress}, signed as they sign them: Twilio's
 * status callbacks ({@code X-Twilio-Signature}, by Twilio's documented algorithm) and the voice-AI
 * platform's webhooks ({@code X-Provider-Signature}); and CloudEvents, which carry no signature. For
 * the tests and the benchmark, which send them with any HTTP client.
 */
public final class ProviderWebhooks {

    public static final String CLOUD_EVENTS_PATH = "/events";
    public static final String TWILIO_CALL_PATH = "/twilio/voice/status";
    public static final String TWILIO_CONFERENCE_PATH = "/twilio/voice/conference";
    public static final String VOICE_AI_PATH = "/voice-ai/webhooks";

    private final String publicUrl;
    private final String twilioAuthToken;
    private final String voiceAiSecret;

    /**
     * @param publicUrl the ingress's {@code ingress.public.url}, which Twilio's signatures cover
     * @param twilioAuthToken its {@code ingress.twilio.auth.token}
     * @param voiceAiSecret its {@code ingress.voiceai.webhook.secret}
     */
    public ProviderWebhooks(String publicUrl, String twilioAuthToken, String voiceAiSecret) {
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.twilioAuthToken = twilioAuthToken;
        this.voiceAiSecret = voiceAiSecret;
    }

    /** One request: where it goes on the ingress, its headers, and its body. */
    public record Request(String path, Map<String, String> headers, byte[] body) {

        public Request {
            headers = Map.copyOf(headers);
        }

        /** The same request with one header set (or replaced), e.g. a forged signature. */
        public Request with(String header, String value) {
            Map<String, String> changed = new LinkedHashMap<>(headers);
            changed.put(header, value);
            return new Request(path, changed, body);
        }
    }

    /** A call's status callback, signed for {@link #TWILIO_CALL_PATH} at the public URL. */
    public Request twilioCall(Map<String, String> parameters) {
        return twilio(TWILIO_CALL_PATH, parameters);
    }

    /** A conference's status callback, signed for {@link #TWILIO_CONFERENCE_PATH} at the public URL. */
    public Request twilioConference(Map<String, String> parameters) {
        return twilio(TWILIO_CONFERENCE_PATH, parameters);
    }

    private Request twilio(String path, Map<String, String> parameters) {
        return new Request(path, Map.of(
                "Content-Type", "application/x-www-form-urlencoded",
                "X-Twilio-Signature", twilioSignature(twilioAuthToken, publicUrl + path, parameters)),
                form(parameters).getBytes(StandardCharsets.UTF_8));
    }

    /** A voice-AI webhook with {@code json} as its body, signed at {@code signedAt}. */
    public Request voiceAi(String json, Instant signedAt) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return new Request(VOICE_AI_PATH, Map.of(
                "Content-Type", "application/json",
                "X-Provider-Signature", voiceAiSignature(voiceAiSecret, signedAt.getEpochSecond(), body)), body);
    }

    /** One CloudEvent in structured mode. */
    public static Request cloudEvent(byte[] structuredEvent) {
        return new Request(CLOUD_EVENTS_PATH, Map.of("Content-Type", "application/cloudevents+json"), structuredEvent);
    }

    /** CloudEvents in one batch, each a structured-mode event. */
    public static Request cloudEventBatch(List<byte[]> structuredEvents) {
        String batch = structuredEvents.stream().map(event -> new String(event, StandardCharsets.UTF_8))
                .collect(Collectors.joining(",", "[", "]"));
        return new Request(CLOUD_EVENTS_PATH, Map.of("Content-Type", "application/cloudevents-batch+json"),
                batch.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Twilio's request signature: the URL Twilio called, then every POST parameter's name and value
     * in the order of the names, HMAC-SHA1 with the auth token, in Base64.
     */
    public static String twilioSignature(String authToken, String url, Map<String, String> parameters) {
        StringBuilder signed = new StringBuilder(url);
        new TreeMap<>(parameters).forEach((name, value) -> signed.append(name).append(value));
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", authToken, signed.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The voice-AI platform's signature header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>}. */
    public static String voiceAiSignature(String secret, long unixSeconds, byte[] body) {
        byte[] prefix = (unixSeconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac("HmacSHA256", secret, signed));
    }

    /** Parameters form-encoded, as Twilio posts them. */
    public static String form(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return String.join("&", pairs);
    }

    private static byte[] hmac(String algorithm, String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }
}
