package dev.callbridge.slackapp;

import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.App;
import com.slack.api.bolt.context.builtin.ActionContext;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.response.Response;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.model.Message;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.webhook.WebhookResponse;
import dev.callbridge.provider.ProviderClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The End call button ({@value #ACTION_ID}) under a call block: a click by a user allowed to end calls
 * ends the call at the voice platform. The click is acknowledged at once, as Slack wants within three
 * seconds; the rest runs on the button's own threads: the button's message becomes "Ending… requested
 * by" the user, the platform is asked to end the call and then watched until it shows the call ended,
 * and the user is told how it went through the click's response URL. One end request per call at a
 * time on this instance, so a double click ends it once; a call not ended gets its button back.
 */
public final class EndCallButton implements AutoCloseable {

    public static final String ACTION_ID = "bridge_end_call";

    private static final Logger LOG = LoggerFactory.getLogger(EndCallButton.class);
    /** Calls being ended at once, and clicks waiting for a thread; more are answered "busy". */
    private static final int THREADS = 4;
    private static final int WAITING = 64;

    private final EndCallConfig config;
    private final CallEnder ender;
    private final EndCallGuard guard = new EndCallGuard();
    private final Executor executor;
    private final MeterRegistry registry;

    public EndCallButton(EndCallConfig config, ProviderClient provider, MeterRegistry registry, Clock clock) {
        this(config, new CallEnder(provider, config.confirmTimeout(), CallEnder.POLL_INTERVAL, clock),
                new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(WAITING),
                        runnable -> {
                            Thread thread = new Thread(runnable, "end-call");
                            thread.setDaemon(true);
                            return thread;
                        }),
                registry);
    }

    EndCallButton(EndCallConfig config, CallEnder ender, Executor executor, MeterRegistry registry) {
        this.config = config;
        this.ender = ender;
        this.executor = executor;
        this.registry = registry;
    }

    /** Registers the click handler on the Slack app. */
    void registerOn(App app) {
        app.blockAction(ACTION_ID, this::clicked);
    }

    private Response clicked(BlockActionRequest request, ActionContext context) {
        BlockActionPayload payload = request.getPayload();
        String callId = payload.getActions().stream().filter(a -> ACTION_ID.equals(a.getActionId())).findFirst()
                .map(BlockActionPayload.Action::getValue).orElse(null);
        String channel = payload.getChannel() == null ? null : payload.getChannel().getId();
        String messageTs = payload.getContainer() != null && payload.getContainer().getMessageTs() != null
                ? payload.getContainer().getMessageTs()
                : payload.getMessage() == null ? null : payload.getMessage().getTs();
        Message message = payload.getMessage();
        Click click = new Click(callId, payload.getUser().getId(), channel, messageTs,
                message == null ? null : message.getText(), message == null ? null : message.getBlocks());
        handle(click, new BoltReplies(context));
        return context.ack();
    }

    /** What a click is about: the call (the button's value), who clicked, and the message the button is in. */
    record Click(String callId, String userId, String channel, String messageTs, String originalText,
            List<LayoutBlock> originalBlocks) {}

    /** How the button answers: the clicking user alone, and the message the button is in. */
    interface Replies {

        void ephemeral(String text);

        /** Replaces the button's message; {@code blocks} may be {@code null} for text only. */
        void updateMessage(String channel, String ts, String text, List<LayoutBlock> blocks);
    }

    /** Decides on the click at once; what takes time runs on the button's threads. */
    void handle(Click click, Replies replies) {
        if (click.callId() == null || click.callId().isBlank()) {
            LOG.warn("An End call click by {} carried no call id; ignored", click.userId());
            return;
        }
        if (!config.allows(click.userId(), click.channel())) {
            LOG.info("End call for call {} refused: user {} in channel {} may not end calls", click.callId(),
                    click.userId(), click.channel());
            answerLater(replies, EndCallOutcome.REFUSED);
            return;
        }
        if (guard.claim(click.callId(), click.userId()).isPresent()) {
            answerLater(replies, EndCallOutcome.DUPLICATE);
            return;
        }
        try {
            executor.execute(() -> end(click, replies));
        } catch (RejectedExecutionException e) {
            guard.release(click.callId());
            counted(EndCallOutcome.BUSY);
            replies.ephemeral(EndCallOutcome.BUSY.message(config.confirmTimeout()));
        }
    }

    private void answer(EndCallOutcome outcome, Replies replies) {
        counted(outcome);
        replies.ephemeral(outcome.message(config.confirmTimeout()));
    }

    /** A refusal or a duplicate: told on the button's threads too, so the click's answer never waits on it. */
    private void answerLater(Replies replies, EndCallOutcome outcome) {
        try {
            executor.execute(() -> answer(outcome, replies));
        } catch (RejectedExecutionException e) {
            counted(outcome);
        }
    }

    private void end(Click click, Replies replies) {
        String mention = "<@" + click.userId() + ">";
        String ending = "Ending… requested by " + mention;
        if (click.messageTs() != null) {
            replies.updateMessage(click.channel(), click.messageTs(), ending, List.of(section(ending)));
        }
        replies.ephemeral("Ending the call…");
        EndCallOutcome outcome;
        try {
            outcome = ender.end(click.callId(), "Ended from Slack by " + mention);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = EndCallOutcome.NOT_CONFIRMED;
        } catch (RuntimeException e) {
            LOG.warn("Ending call {} failed: {}", click.callId(), e.toString());
            outcome = EndCallOutcome.FAILED;
        }
        LOG.info("End call for call {} requested by {}: {}", click.callId(), click.userId(), outcome.tag());
        if (!outcome.callIsOver()) {
            guard.release(click.callId());
            if (click.messageTs() != null && click.originalBlocks() != null && !click.originalBlocks().isEmpty()) {
                // The button comes back, so the user can try again.
                replies.updateMessage(click.channel(), click.messageTs(), click.originalText(), click.originalBlocks());
            }
        }
        answer(outcome, replies);
    }

    private void counted(EndCallOutcome outcome) {
        Counter.builder("bridge.endcall.clicks").description("End call clicks by how they came out")
                .tag("outcome", outcome.tag()).register(registry).increment();
    }

    private static LayoutBlock section(String mrkdwn) {
        return SectionBlock.builder().text(MarkdownTextObject.builder().text(mrkdwn).build()).build();
    }

    @Override
    public void close() {
        if (executor instanceof ExecutorService service) {
            service.shutdownNow();
        }
    }

    /** Answers through Bolt: the response URL for the user, {@code chat.update} with the installation's bot token. */
    private static final class BoltReplies implements Replies {

        private final ActionContext context;

        BoltReplies(ActionContext context) {
            this.context = context;
        }

        @Override
        public void ephemeral(String text) {
            try {
                WebhookResponse response = context.respond(r -> r.responseType("ephemeral").text(text));
                if (response.getCode() / 100 != 2) {
                    LOG.warn("Slack refused an End call answer on the response URL with HTTP {}", response.getCode());
                }
            } catch (Exception e) {
                LOG.warn("Answering an End call click failed: {}", e.getClass().getSimpleName());
            }
        }

        @Override
        public void updateMessage(String channel, String ts, String text, List<LayoutBlock> blocks) {
            try {
                ChatUpdateResponse response = context.client().chatUpdate(r -> r.channel(channel).ts(ts).text(text)
                        .blocks(blocks));
                if (!response.isOk()) {
                    LOG.warn("chat.update of the End call message {} in {} failed: {}", ts, channel, response.getError());
                }
            } catch (Exception e) {
                LOG.warn("chat.update of the End call message {} in {} failed: {}", ts, channel,
                        e.getClass().getSimpleName());
            }
        }
    }
}
