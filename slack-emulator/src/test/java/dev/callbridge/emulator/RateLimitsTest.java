package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The rate-limit presets and how budgets are written. */
class RateLimitsTest {

    @Test
    void theSlackPresetFollowsSlacksDocumentedTiers() {
        RateLimits slack = RateLimits.preset("slack");

        assertThat(slack.forMethod(ApiMethod.CALLS_ADD)).contains(RateLimit.perMinute(50));
        assertThat(slack.forMethod(ApiMethod.CALLS_END)).contains(Tier.TIER_3.limit());
        assertThat(slack.forMethod(ApiMethod.CHAT_POST_MESSAGE)).contains(RateLimit.perSecond(1));
    }

    @Test
    void theSdkPresetPutsTheCallsMethodsInTier2() {
        RateLimits sdk = RateLimits.preset("sdk");

        assertThat(sdk.forMethod(ApiMethod.CALLS_PARTICIPANTS_ADD)).contains(RateLimit.perMinute(20));
        assertThat(sdk.forMethod(ApiMethod.CHAT_POST_MESSAGE)).contains(RateLimit.perSecond(1));
    }

    @Test
    void theUnlimitedPresetHasNoBudgets() {
        assertThat(RateLimits.preset("unlimited").forMethod(ApiMethod.CALLS_ADD)).isEmpty();
    }

    @Test
    void anUnknownPresetIsRefusedWithTheNamesThatExist() {
        assertThatIllegalArgumentException().isThrownBy(() -> RateLimits.preset("fast"))
                .withMessageContaining(RateLimits.PRESETS);
    }

    @Test
    void jsonNamesMethodsAsSlackDoes() throws Exception {
        RateLimits limits = RateLimits.unlimited().with(ApiMethod.CALLS_ADD, Tier.TIER_2);

        String json = EmulatorJson.mapper().writeValueAsString(limits);

        assertThat(json).isEqualTo("{\"limits\":{\"calls.add\":{\"requests\":20,\"window_seconds\":60}}}");
        assertThat(EmulatorJson.mapper().readValue(json, RateLimits.class)).isEqualTo(limits);
    }

    @Test
    void aBudgetNeedsAtLeastOneRequestPerWindow() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(0, 60)).withMessageContaining("requests");
        assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(5, 0))
                .withMessageContaining("window_seconds");
    }
}
