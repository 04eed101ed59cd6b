package dev.callbridge.slackapp;

import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.Installer;
import com.slack.api.bolt.model.builtin.DefaultBot;
import com.slack.api.bolt.model.builtin.DefaultInstaller;
import com.slack.api.bolt.service.InstallationService;
import dev.callbridge.installations.KafkaInstallationService;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.slack.TokenSource;
import java.util.Optional;

/**
 * The installations Bolt sees: a workspace served by a token from the environment or a mounted file
 * is answered with that token, as the dispatcher sends with it, so its people's clicks (the End call
 * button) are taken without installing the app there; every other workspace from the installations
 * topic.
 */
public final class BoltInstallations implements InstallationService {

    private final KafkaInstallationService installed;
    private final TokenSource configured;

    public BoltInstallations(KafkaInstallationService installed, TokenSource configured) {
        this.installed = installed;
        this.configured = configured;
    }

    /** Records that the app was removed from the workspace, {@code because} what. */
    void remove(String enterpriseId, String teamId, String because) {
        installed.remove(enterpriseId, teamId, because);
    }

    @Override
    public boolean isHistoricalDataEnabled() {
        return installed.isHistoricalDataEnabled();
    }

    @Override
    public void setHistoricalDataEnabled(boolean enabled) {
        installed.setHistoricalDataEnabled(enabled);
    }

    @Override
    public void saveInstallerAndBot(Installer installer) throws Exception {
        installed.saveInstallerAndBot(installer);
    }

    @Override
    public void saveBot(Bot bot) throws Exception {
        installed.saveBot(bot);
    }

    @Override
    public void deleteBot(Bot bot) throws Exception {
        installed.deleteBot(bot);
    }

    @Override
    public void deleteInstaller(Installer installer) throws Exception {
        installed.deleteInstaller(installer);
    }

    @Override
    public void deleteAll(String enterpriseId, String teamId) {
        installed.deleteAll(enterpriseId, teamId);
    }

    @Override
    public Bot findBot(String enterpriseId, String teamId) {
        Optional<SlackToken> own = teamId == null ? Optional.empty() : configured.forWorkspace(teamId);
        if (own.isEmpty()) {
            return installed.findBot(enterpriseId, teamId);
        }
        DefaultBot bot = new DefaultBot();
        bot.setEnterpriseId(enterpriseId);
        bot.setTeamId(teamId);
        bot.setBotAccessToken(own.get().reveal());
        return bot;
    }

    @Override
    public Installer findInstaller(String enterpriseId, String teamId, String userId) {
        Optional<SlackToken> own = teamId == null || userId != null ? Optional.empty() : configured.forWorkspace(teamId);
        if (own.isEmpty()) {
            return installed.findInstaller(enterpriseId, teamId, userId);
        }
        DefaultInstaller installer = new DefaultInstaller();
        installer.setEnterpriseId(enterpriseId);
        installer.setTeamId(teamId);
        installer.setTokenType("bot");
        installer.setBotAccessToken(own.get().reveal());
        return installer;
    }
}
