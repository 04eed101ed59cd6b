package dev.callbridge.installations;

import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.builtin.DefaultInstaller;

/** Bolt's installer model as the store hands it out: printing it names the installation, not its tokens. */
final class StoredInstaller extends DefaultInstaller {

    @Override
    public Bot toBot() {
        return new StoredBot(this);
    }

    @Override
    public String toString() {
        return "Installer[" + InstallationRecord.key(getEnterpriseId(), getTeamId()) + "]";
    }
}
