package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanStopMarkerTest {

    @TempDir
    Path stateDir;

    private Path globalStoreFile() throws Exception {
        Path store = stateDir.resolve("call-bridge/global/rocksdb/call-recovery/CURRENT");
        Files.createDirectories(store.getParent());
        Files.writeString(store, "MANIFEST-000001\n");
        return store;
    }

    @Test
    void aRunThatDiedLeavesItsGlobalStateToBeRebuilt() throws Exception {
        Path store = globalStoreFile();

        new CleanStopMarker(stateDir, "call-bridge").beforeStart();

        assertThat(store).doesNotExist();
        assertThat(stateDir.resolve("call-bridge/global")).doesNotExist();
    }

    @Test
    void aCleanStopKeepsTheGlobalStateForOneStartOnly() throws Exception {
        Path store = globalStoreFile();
        CleanStopMarker marker = new CleanStopMarker(stateDir, "call-bridge");
        marker.stoppedCleanly();

        marker.beforeStart();
        assertThat(store).exists();
        assertThat(stateDir.resolve("call-bridge/" + CleanStopMarker.FILE_NAME)).as("a crash from now on counts")
                .doesNotExist();

        marker.beforeStart();
        assertThat(store).doesNotExist();
    }

    @Test
    void aFirstStartHasNothingToWipe() {
        new CleanStopMarker(stateDir, "call-bridge").beforeStart();
        assertThat(stateDir.resolve("call-bridge")).doesNotExist();
    }
}
