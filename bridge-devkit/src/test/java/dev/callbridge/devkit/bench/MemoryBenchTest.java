package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryBenchTest {

    @Test
    void theLiveHeapIsTheClassHistogramsTotal() {
        String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:        164594       23431776  [B (java.base@17.0.15)
                   2:        121505        3888160  java.util.concurrent.ConcurrentHashMap$Node (java.base@17.0.15)
                Total        1002345       59351234
                """;

        assertThat(MemoryBench.histogramTotalBytes(histogram)).hasValue(59_351_234L);
    }

    @Test
    void aListingWithoutItsTotalGivesNothing() {
        assertThat(MemoryBench.histogramTotalBytes("12345:\ncom.sun.tools.attach.AttachNotSupportedException")).isEmpty();
    }
}
