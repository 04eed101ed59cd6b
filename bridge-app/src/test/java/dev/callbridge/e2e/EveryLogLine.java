package dev.callbridge.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures every log line of a test, the Slack SDK's, Bolt's, OkHttp's and the bridge's at their
 * most detailed levels, with arguments, causes and MDC values as text: what a secret must never be in.
 */
public final class EveryLogLine implements BeforeEachCallback, AfterEachCallback {

    private static final List<String> LOUDEST = List.of("com.slack", "okhttp3", "dev.callbridge");

    private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Capture capture = new Capture();
    private final Map<String, Level> levelsBefore = new HashMap<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        capture.lines.clear();
        capture.setContext(logging);
        capture.start();
        logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
        levelsBefore.put(Logger.ROOT_LOGGER_NAME, logging.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        logging.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);
        for (String name : LOUDEST) {
            levelsBefore.put(name, logging.getLogger(name).getLevel());
            logging.getLogger(name).setLevel(Level.TRACE);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
        levelsBefore.forEach((name, level) -> logging.getLogger(name).setLevel(level));
    }

    /** The lines logged so far in this test. */
    public List<String> lines() {
        return List.copyOf(capture.lines);
    }

    /** Keeps every log event's logger, message, causes and MDC values as one line of text. */
    private static final class Capture extends AppenderBase<ILoggingEvent> {
        final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
            for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
                line.append(' ').append(cause.getClassName()).append(": ").append(cause.getMessage());
            }
            event.getMDCPropertyMap().values().forEach(value -> line.append(' ').append(value));
            lines.add(line.toString());
        }
    }
}
