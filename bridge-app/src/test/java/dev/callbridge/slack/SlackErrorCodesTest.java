package dev.callbridge.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.slack.SlackErrorCodes.Kind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SlackErrorCodesTest {

    /** Every error code Slack documents for calls.add, calls.end, calls.info and calls.update. */
    private static final List<String> DOCUMENTED_CALLS_ERRORS = List.of(
            "access_denied", "accesslimited", "account_inactive", "bad_users", "deprecated_endpoint",
            "ekm_access_denied", "enterprise_is_restricted", "fatal_error", "inactive_call", "internal_error",
            "invalid_arg_name", "invalid_arguments", "invalid_array_arg", "invalid_auth", "invalid_call_id",
            "invalid_charset", "invalid_created_by", "invalid_form_data", "invalid_post_type", "invalid_start_time",
            "method_deprecated", "missing_post_type", "missing_scope", "no_permission", "not_allowed_token_type",
            "not_authed", "not_authorized", "not_implemented", "org_login_required", "ratelimited",
            "request_timeout", "service_unavailable", "team_access_not_granted", "team_added_to_org",
            "token_expired", "token_revoked", "two_factor_setup_required", "user_not_found");

    @Test
    void everyDocumentedCodeIsInTheTable() {
        assertThat(DOCUMENTED_CALLS_ERRORS).allSatisfy(code -> assertThat(SlackErrorCodes.isKnown(code))
                .as("%s is classified", code).isTrue());
    }

    @ParameterizedTest(name = "{0} is transient")
    @CsvSource({"ratelimited", "service_unavailable", "internal_error", "fatal_error", "request_timeout",
            "team_added_to_org", "org_login_required"})
    void slackSideFailuresAreTransient(String code) {
        assertThat(Arrays.stream(SlackMethod.values()).map(m -> SlackErrorCodes.kind(m, code)))
                .containsOnly(Kind.TRANSIENT);
    }

    @ParameterizedTest(name = "{0} is terminal")
    @CsvSource({"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope", "invalid_arguments",
            "invalid_call_id", "user_not_found", "account_inactive", "no_permission", "invalid_start_time",
            "channel_not_found", "not_in_channel", "invalid_blocks"})
    void requestsThatCanNeverWorkAreTerminal(String code) {
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_ADD, code)).isEqualTo(Kind.TERMINAL);
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_END, code)).isEqualTo(Kind.TERMINAL);
    }

    @Test
    void inactiveCallOnAnyMethodMeansTheCallHasEnded() {
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_END, "inactive_call")).isEqualTo(Kind.CALL_ENDED);
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_UPDATE, "inactive_call")).isEqualTo(Kind.CALL_ENDED);
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_PARTICIPANTS_ADD, "inactive_call")).isEqualTo(Kind.CALL_ENDED);
        assertThat(SlackErrorCodes.kind(SlackMethod.CHAT_POST_MESSAGE, "inactive_call")).isEqualTo(Kind.CALL_ENDED);
    }

    @ParameterizedTest
    @EnumSource(value = SlackMethod.class, names = {"CALLS_PARTICIPANTS_ADD", "CALLS_PARTICIPANTS_REMOVE"})
    void badUsersOnParticipantChangesMeansAlreadySo(SlackMethod method) {
        assertThat(SlackErrorCodes.kind(method, "bad_users")).isEqualTo(Kind.ALREADY_DONE);
    }

    @Test
    void badUsersOnCallsAddIsTerminal() {
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_ADD, "bad_users")).isEqualTo(Kind.TERMINAL);
    }

    @Test
    void anUndocumentedCodeIsTerminalAndFlaggedAsUnknown() {
        assertThat(SlackErrorCodes.kind(SlackMethod.CALLS_ADD, "something_new")).isEqualTo(Kind.TERMINAL);
        assertThat(SlackErrorCodes.isKnown("something_new")).isFalse();
    }
}
