package dev.callbridge.provider.emulator;

/**
 * The control that starts a call on the platform, as if someone had dialled in.
 *
 * @param from the caller's number, E.164 ({@code +15550100})
 * @param to the number called, E.164
 * @param agent the AI agent's name
 * @param flavour how the call is told; {@link Flavour#VOICE_AI} when absent
 */
public record StartCall(String from, String to, String agent, Flavour flavour) {

    public StartCall {
        requirePhoneNumber("from", from);
        requirePhoneNumber("to", to);
        if (agent == null || agent.isBlank()) {
            throw new IllegalArgumentException("agent is required");
        }
        flavour = flavour == null ? Flavour.VOICE_AI : flavour;
    }

    /** A call told through the platform's own webhooks. */
    public static StartCall voiceAi(String from, String to, String agent) {
        return new StartCall(from, to, agent, Flavour.VOICE_AI);
    }

    /** A call told through Twilio's status callbacks of its leg. */
    public static StartCall twilio(String from, String to, String agent) {
        return new StartCall(from, to, agent, Flavour.TWILIO);
    }

    private static void requirePhoneNumber(String name, String number) {
        if (number == null || !number.matches("\\+[1-9][0-9]{6,14}")) {
            throw new IllegalArgumentException(name + " must be an E.164 number such as +15550100, was '" + number + "'");
        }
    }
}
