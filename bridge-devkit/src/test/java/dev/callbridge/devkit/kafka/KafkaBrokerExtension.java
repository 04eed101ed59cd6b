package dev.callbridge.devkit.kafka;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link EmbeddedKafka} broker per test class (nested classes share their outer class's
 * broker) and stops it after the class.
 *
 * <p>Register it on a static field with {@code @RegisterExtension} and call {@link #broker()} or
 * {@link #bootstrapServers()}, or use {@code @ExtendWith} and take an {@link EmbeddedKafka}
 * parameter in a {@code @BeforeAll}, constructor or test method.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    private EmbeddedKafka broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = brokerFor(context);
    }

    /** The running broker of the current test class. */
    public EmbeddedKafka broker() {
        if (broker == null) {
            throw new IllegalStateException("no broker yet: register KafkaBrokerExtension on a static field");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public EmbeddedKafka resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return brokerFor(context);
    }

    /**
     * The broker started in {@code beforeAll} and kept in the class's store, which closes it (it is
     * {@link AutoCloseable}) when the class finishes; lookups from methods and nested classes find it there.
     */
    private static EmbeddedKafka brokerFor(ExtensionContext context) {
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(EmbeddedKafka.class, key -> new EmbeddedKafka().start(), EmbeddedKafka.class);
    }
}
