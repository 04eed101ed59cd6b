package dev.callbridge.model.event;

import static dev.callbridge.model.ModelFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schemas under {@code schemas/} and {@link CloudEventCodec} state one contract twice. The
 * fixtures under {@code events/valid} must pass both; those under {@code events/invalid/<reason>}
 * must fail both, the codec with that reject reason.
 */
class CallEventSchemaTest {

    private static final String SCHEMA_BASE = "https://callbridge.dev/schemas/";
    private static final String SCHEMA_RESOURCES = "schemas";

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(VersionFlag.V202012, factory -> factory
            .schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:" + SCHEMA_RESOURCES + "/"))
            // Whatever is not mapped to the classpath fails loudly instead of being fetched over the network.
            .schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
    private static final SchemaValidatorsConfig CHECK_FORMATS =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final JsonSchema CALL_EVENT =
            SCHEMAS.getSchema(SchemaLocation.of(SCHEMA_BASE + "call-event.schema.json"), CHECK_FORMATS);

    private final CloudEventCodec codec = new CloudEventCodec();

    static Stream<Named<Path>> validEvents() {
        return namedFiles("events/valid");
    }

    static Stream<Named<Path>> invalidEvents() {
        return namedFiles("events/invalid");
    }

    static Stream<Named<Path>> schemaFiles() {
        return namedFiles(SCHEMA_RESOURCES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEvents")
    void aValidEventPassesTheSchemaAndTheCodec(Path fixture) throws IOException {
        byte[] value = Files.readAllBytes(fixture);

        assertThat(CALL_EVENT.validate(json(value))).as("schema errors").isEmpty();
        assertThatCode(() -> codec.decode(value, Map.of())).as("codec").doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEvents")
    void anInvalidEventFailsTheSchemaAndTheCodec(Path fixture) throws IOException {
        byte[] value = Files.readAllBytes(fixture);
        String expectedReason = fixture.getParent().getFileName().toString();

        assertThat(CALL_EVENT.validate(json(value))).as("schema errors").isNotEmpty();
        InvalidEventException rejected =
                catchThrowableOfType(InvalidEventException.class, () -> codec.decode(value, Map.of()));
        assertThat(rejected).as("codec rejection").isNotNull();
        assertThat(rejected.reason().code()).as("reason of " + rejected.violations()).isEqualTo(expectedReason);
    }

    @Test
    void theValidFixturesCoverEveryEventType() {
        List<CallEventType> types = validEvents()
                .map(fixture -> codec.decode(read(fixture.getPayload()), Map.of()).type())
                .toList();

        assertThat(types).containsAll(Arrays.asList(CallEventType.values()));
    }

    @Test
    void theInvalidFixturesCoverEveryRejectReasonThatASchemaCanExpress() {
        List<String> reasons = invalidEvents().map(fixture -> fixture.getPayload().getParent().getFileName().toString())
                .distinct()
                .toList();

        // Size is a property of the Kafka record, not of the JSON document, so no schema can judge it.
        List<String> expressible = Arrays.stream(RejectReason.values())
                .filter(reason -> reason != RejectReason.OVERSIZE)
                .map(RejectReason::code)
                .toList();
        assertThat(reasons).containsExactlyInAnyOrderElementsOf(expressible);
    }

    @Test
    void theEnvelopeSchemaKnowsExactlyTheCodecsEventTypes() {
        JsonNode schema = json(read(resource(SCHEMA_RESOURCES).resolve("call-event.schema.json")));
        List<String> schemaTypes = StreamSupport.stream(schema.at("/properties/type/enum").spliterator(), false)
                .map(JsonNode::asText)
                .toList();

        assertThat(schemaTypes).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(CallEventType.values()).map(CallEventType::wireName).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaFiles")
    void everySchemaIsDraft202012WithItsOwnIdAndDocumentsEachProperty(Path file) {
        JsonNode schema = json(read(file));
        JsonSchema metaSchema = SCHEMAS.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

        assertThat(metaSchema.validate(schema)).as("meta-schema errors").isEmpty();
        assertThat(schema.path("$id").asText()).isEqualTo(SCHEMA_BASE + file.getFileName());
        assertThat(schema.path("title").asText()).isNotBlank();
        assertThat(schema.path("description").asText()).isNotBlank();
        schema.path("properties").properties().forEach(property -> assertThat(property.getValue().path("description").asText())
                .as("description of " + property.getKey())
                .isNotBlank());
    }

    private static Stream<Named<Path>> namedFiles(String resourceDirectory) {
        Path root = resource(resourceDirectory);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".json"))
                    .sorted()
                    .map(file -> Named.of(root.relativize(file).toString(), file))
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(CallEventSchemaTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
