package dev.callbridge.installations;

import com.slack.api.bolt.model.builtin.DefaultBot;
import com.slack.api.bolt.model.builtin.DefaultInstaller;

/** Bolt's bot model as the store hands it out: printing it names the installation, not its tokens. */
final class StoredBot extends DefaultBot {

    StoredBot(DefaultInstaller installer) {
        setAppId(installer.getAppId());
        setEnterpriseId(installer.getEnterpriseId());
        setTeamId(installer.getTeamId());
        setTeamName(installer.getTeamName());
        setIsEnterpriseInstall(installer.getIsEnterpriseInstall());
        setTokenType(installer.getTokenType());
        setScope(installer.getScope());
        setBotScope(installer.getBotScope());
        setBotId(installer.getBotId());
        setBotUserId(installer.getBotUserId());
        setBotAccessToken(installer.getBotAccessToken());
        setBotRefreshToken(installer.getBotRefreshToken());
        setBotTokenExpiresAt(installer.getBotTokenExpiresAt());
        setInstalledAt(installer.getInstalledAt());
    }

    @Override
    public String toString() {
        return "Bot[" + InstallationRecord.key(getEnterpriseId(), getTeamId()) + "]";
    }
}
