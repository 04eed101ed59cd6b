package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewsAtCommitTest {

    private record Written(String call, String view, long timestamp) {}

    private final List<Written> written = new ArrayList<>();
    private final ViewsAtCommit views = new ViewsAtCommit((call, bytes, timestamp) ->
            written.add(new Written(call, bytes == null ? null : new String(bytes, StandardCharsets.UTF_8), timestamp)));

    @Test
    void withoutACacheEveryChangeIsWrittenAtOnce() {
        views.changed("a", bytes("v1"), 1);
        views.changed("a", bytes("v2"), 2);

        assertThat(written).containsExactly(new Written("a", "v1", 1), new Written("a", "v2", 2));
    }

    @Test
    void aCallsLastChangeIsWrittenWhenTheCacheFlushesIt() {
        views.waitForFlushes();
        views.changed("a", bytes("v1"), 1);
        views.changed("b", bytes("w1"), 5);
        views.changed("a", bytes("v2"), 2);
        assertThat(written).isEmpty();

        views.flushed("a", bytes("v2"));
        views.flushed("a", bytes("v2"));
        views.flushed("b", bytes("w1"));

        assertThat(written).containsExactly(new Written("a", "v2", 2), new Written("b", "w1", 5));
        assertThat(views.waiting()).isZero();
    }

    @Test
    void aTombstoneGoesAtOnceAndReplacesTheViewWaiting() {
        views.waitForFlushes();
        views.changed("a", bytes("v1"), 1);
        views.changed("a", null, 2);
        views.flushed("a", null);

        assertThat(written).containsExactly(new Written("a", null, 2));
    }

    @Test
    void aCallLeavingTheStoreHasItsWaitingViewWrittenFirst() {
        views.waitForFlushes();
        views.changed("a", bytes("v1"), 1);
        views.leaving("a");
        views.flushed("a", null);
        views.leaving("b");

        assertThat(written).containsExactly(new Written("a", "v1", 1));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
