package dev.callbridge.ingress;

import com.twilio.security.RequestValidator;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Twilio's status callbacks for calls or for conferences: form-encoded, signed with the account's
 * auth token in {@code X-Twilio-Signature}, which Twilio's own {@link RequestValidator} checks
 * against the URL Twilio called, the ingress's public URL (the ingress sits behind proxies, so the
 * address it sees is not the one Twilio signed).
 */
final class TwilioWebhook implements Webhook {

    static final String CALL_PATH = "/twilio/voice/status";
    static final String CONFERENCE_PATH = "/twilio/voice/conference";
    static final String FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

    private final String path;
    private final String name;
    private final Function<Map<String, String>, Intake> mapping;
    private final RequestValidator validator;
    private final String publicUrl;
    private final int maxBodyBytes;

    private TwilioWebhook(String path, String name, Function<Map<String, String>, Intake> mapping,
            IngressConfig.Provider twilio, URI publicUrl, int maxBodyBytes) {
        this.path = path;
        this.name = name;
        this.mapping = mapping;
        this.validator = new RequestValidator(twilio.secret());
        String base = publicUrl.toString();
        this.publicUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A call's status callbacks, at {@value #CALL_PATH}. */
    static TwilioWebhook calls(IngressConfig.Provider twilio, URI publicUrl, InputRecords records, int maxBodyBytes) {
        TwilioCallbacks callbacks = new TwilioCallbacks(new JoinLinks(twilio.joinUrlTemplate()), records);
        return new TwilioWebhook(CALL_PATH, "twilio_call", callbacks::callStatus, twilio, publicUrl, maxBodyBytes);
    }

    /** A conference's status callbacks, at {@value #CONFERENCE_PATH}. */
    static TwilioWebhook conferences(IngressConfig.Provider twilio, URI publicUrl, InputRecords records, int maxBodyBytes) {
        TwilioCallbacks callbacks = new TwilioCallbacks(new JoinLinks(twilio.joinUrlTemplate()), records);
        return new TwilioWebhook(CONFERENCE_PATH, "twilio_conference", callbacks::conference, twilio, publicUrl,
                maxBodyBytes);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    @Override
    public Intake read(WebhookRequest request) {
        if (!request.mediaType().equals(FORM_MEDIA_TYPE)) {
            return new Intake.UnsupportedMediaType(FORM_MEDIA_TYPE);
        }
        Map<String, String> parameters;
        try {
            parameters = form(new String(request.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return new Intake.Invalid(List.of(new Violation("body", RejectReason.UNPARSEABLE,
                    "is not form-encoded: " + e.getMessage())));
        }
        String signature = request.header("x-twilio-signature");
        if (signature == null) {
            return new Intake.Unauthorized("X-Twilio-Signature is missing");
        }
        if (!signedBy(publicUrl + request.pathAndQuery(), parameters, signature)) {
            return new Intake.Unauthorized("X-Twilio-Signature does not match this request at "
                    + publicUrl + request.path() + " (check ingress.public.url and the auth token)");
        }
        return mapping.apply(parameters);
    }

    private boolean signedBy(String url, Map<String, String> parameters, String signature) {
        try {
            return validator.validate(url, parameters, signature);
        } catch (RuntimeException e) {
            // A query the validator cannot read as a URI was not signed by Twilio either.
            return false;
        }
    }

    /** A form body's parameters; Twilio sends each once, and a repeated one could not be checked as signed. */
    static Map<String, String> form(String body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return parameters;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            if (parameters.put(name, value) != null) {
                throw new IllegalArgumentException("parameter " + name + " is given more than once");
            }
        }
        return parameters;
    }
}
