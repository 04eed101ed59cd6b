package dev.callbridge.provider;

/** The voice-AI platform's call API, as the End call button uses it: end a call, then look at it. */
public interface ProviderClient {

    /** Asks the platform to end the call with {@code reason} as its disconnect reason. */
    EndAnswer end(String callId, String reason);

    /** What the platform says of the call now. */
    CallStatus status(String callId);

    /** The platform's answer to an end request. */
    enum EndAnswer {
        /** 200 with the call: the platform says it ended it. */
        ENDED,
        /** 200 with an empty body: the platform's answer to any failure, so nothing is known. */
        NOTHING_SAID,
        /** 401 or another status: the platform refused the request (a wrong key, an outage). */
        REFUSED,
        /** No answer: the connection failed or timed out. */
        UNREACHABLE
    }

    /**
     * What the platform says of a call.
     *
     * @param kind what it said
     * @param disconnectReason the ended call's reason; {@code null} otherwise
     * @param detail for {@code REFUSED} and {@code UNREACHABLE}, the HTTP status or the failure's kind, for logs
     */
    record CallStatus(Kind kind, String disconnectReason, String detail) {

        /** The kinds of answer. */
        public enum Kind { IN_PROGRESS, ENDED, NOT_FOUND, REFUSED, UNREACHABLE }

        public static CallStatus of(Kind kind) {
            return new CallStatus(kind, null, null);
        }
    }
}
