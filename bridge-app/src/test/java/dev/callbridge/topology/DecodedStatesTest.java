package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.state.CallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DecodedStatesTest {

    private static final JsonSerde<CallState> JSON = new JsonSerde<>(CallState.class);
    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    private final List<String> parsed = new ArrayList<>();
    private final Function<byte[], CallState> decoder = bytes -> {
        CallState state = JSON.fromBytes(bytes);
        parsed.add(state.externalUniqueId());
        return state;
    };

    @Test
    void aStateIsParsedOnceWhileTheStoreHoldsTheSameBytes() {
        DecodedStates decoded = new DecodedStates(4);
        byte[] stored = JSON.toBytes(CallState.fresh("c1", NOW));

        CallState first = decoded.decode("c1", stored, decoder);
        CallState again = decoded.decode("c1", stored.clone(), decoder);

        assertThat(again).isSameAs(first);
        assertThat(parsed).containsExactly("c1");
    }

    @Test
    void bytesTheStoreGotFromElsewhereAreParsedNotTakenFromWhatWasRemembered() {
        DecodedStates decoded = new DecodedStates(4);
        CallState written = CallState.fresh("c1", NOW);
        decoded.remember("c1", JSON.toBytes(written), written);
        CallState restored = CallState.fresh("c1", NOW.plusSeconds(60));

        assertThat(decoded.decode("c1", JSON.toBytes(restored), decoder)).isEqualTo(restored);
        assertThat(decoded.decode("c1", null, decoder)).as("deleted under it").isNull();
        assertThat(decoded.size()).isZero();
    }

    @Test
    void theCallUsedLeastRecentlyIsDroppedPastTheCapacity() {
        DecodedStates decoded = new DecodedStates(2);
        byte[] one = JSON.toBytes(CallState.fresh("c1", NOW));
        byte[] two = JSON.toBytes(CallState.fresh("c2", NOW));
        byte[] three = JSON.toBytes(CallState.fresh("c3", NOW));
        decoded.decode("c1", one, decoder);
        decoded.decode("c2", two, decoder);
        decoded.decode("c1", one, decoder);
        decoded.decode("c3", three, decoder);

        decoded.decode("c1", one, decoder);
        decoded.decode("c2", two, decoder);

        assertThat(parsed).containsExactly("c1", "c2", "c3", "c2");
        assertThat(decoded.size()).isEqualTo(2);
    }

    @Test
    void aPassOverEveryCallKeepsNothingNew() {
        DecodedStates decoded = new DecodedStates(2);
        byte[] one = JSON.toBytes(CallState.fresh("c1", NOW));
        decoded.peek("c1", one, decoder);
        decoded.peek("c1", one, decoder);

        assertThat(parsed).containsExactly("c1", "c1");
        assertThat(decoded.size()).isZero();
        assertThatThrownBy(() -> new DecodedStates(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
