package dev.callbridge.model.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link IsoInstants} against the JDK and Jackson it stands in for: same text out, same answers in. */
class IsoInstantsTest {

    private static final long YEAR_10000 = Instant.parse("9999-12-31T23:59:59.999999999Z").getEpochSecond();
    private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    /** Jackson as WireJson was before IsoInstants: JavaTimeModule's instants only. */
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    @Test
    void formatsAsInstantToString() {
        Random random = new Random(7);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(YEAR_0),
                Instant.ofEpochSecond(YEAR_10000, 999_999_999), Instant.parse("2000-02-29T23:59:59.5Z"),
                Instant.parse("1900-03-01T00:00:00.000001Z"), Instant.parse("1969-12-31T23:59:59.123456789Z"),
                Instant.ofEpochSecond(YEAR_10000 + 1), Instant.ofEpochSecond(YEAR_0 - 1), Instant.MAX, Instant.MIN));
        for (int i = 0; i < 200_000; i++) {
            instants.add(randomInstant(random));
        }
        for (Instant instant : instants) {
            assertThat(IsoInstants.format(instant)).as("%s", instant).isEqualTo(instant.toString());
        }
    }

    @Test
    void readsWhatItWritesAndWhatOffsetDateTimeReads() {
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = randomInstant(random);
            assertThat(IsoInstants.parseOffsetDateTime(IsoInstants.format(instant))).isEqualTo(instant);
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(36 * 4 + 1) - 18 * 4) * 15 * 60);
            String withOffset = OffsetDateTime.ofInstant(instant, offset).toString();
            assertSameAsJdk(withOffset);
        }
    }

    @Test
    void answersAndRefusesTextAsOffsetDateTimeDoes() {
        List<String> texts = new ArrayList<>(List.of("2026-01-31T09:30:00Z", "2026-01-31t09:30:00z",
                "2026-01-31T09:30Z", "2026-01-31T09:30:00", "2026-01-31 09:30:00Z", "2026-02-29T09:30:00Z",
                "2024-02-29T09:30:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T23:60:00Z",
                "2026-01-31T23:59:60Z", "2026-01-31T09:30:00.Z", "2026-01-31T09:30:00.1234567891Z",
                "2026-01-31T09:30:00.000000001Z", "2026-01-31T09:30:00+18:00", "2026-01-31T09:30:00-18:00",
                "2026-01-31T09:30:00+18:01", "2026-01-31T09:30:00+17:59", "2026-01-31T09:30:00+0100",
                "2026-01-31T09:30:00+01", "2026-01-31T09:30:00+01:00:30", "2026-01-31T09:30:00-00:00",
                "+12026-01-31T09:30:00Z", "-0001-01-31T09:30:00Z", "0000-01-01T00:00:00Z",
                "2026-1-31T09:30:00Z", "２０２６-01-31T09:30:00Z", "2026-01-31T09:30:00Z ", " 2026-01-31T09:30:00Z",
                "", "Z", "not a time"));
        Random random = new Random(13);
        String alphabet = "0123456789-:+.TZtz x9";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder(OffsetDateTime.ofInstant(randomInstant(random),
                    random.nextBoolean() ? ZoneOffset.UTC : ZoneOffset.ofHoursMinutes(5, 30)).toString());
            int changes = 1 + random.nextInt(2);
            for (int c = 0; c < changes; c++) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> text.deleteCharAt(at);
                    default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertSameAsJdk(text);
        }
    }

    @Test
    void jacksonWritesAndReadsInstantsAsJavaTimeModuleDoes() throws Exception {
        ObjectMapper wire = WireJson.mapper();
        Random random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = randomInstant(random);
            String json = wire.writeValueAsString(instant);
            assertThat(json).isEqualTo(JACKSON.writeValueAsString(instant));
            assertThat(wire.readValue(json, Instant.class)).isEqualTo(instant);
        }
        for (String json : List.of("\"2026-01-31T09:30:00+02:00\"", "\"2026-01-31t09:30:00z\"", "1769851800",
                "1769851800.5", "\"2026-01-31T09:30:00.123Z\"", "\"bad\"", "\"2026-02-30T00:00:00Z\"", "null")) {
            assertThat(outcome(text -> read(wire, text), json)).as(json).isEqualTo(outcome(text -> read(JACKSON, text), json));
        }
    }

    private static Instant read(ObjectMapper mapper, String json) {
        try {
            return mapper.readValue(json, Instant.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(e.getClass().getSimpleName());
        }
    }

    private static void assertSameAsJdk(String text) {
        assertThat(outcome(IsoInstants::parseOffsetDateTime, text)).as("\"%s\"", text)
                .isEqualTo(outcome(t -> OffsetDateTime.parse(t).toInstant(), text));
    }

    /** The instant read, or the class and message of what was thrown. */
    private static String outcome(Function<String, Instant> parse, String text) {
        try {
            return String.valueOf(parse.apply(text));
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static Instant randomInstant(Random random) {
        long seconds = switch (random.nextInt(3)) {
            case 0 -> 1_600_000_000L + random.nextInt(400_000_000);
            case 1 -> YEAR_0 + (long) (random.nextDouble() * (YEAR_10000 - YEAR_0));
            default -> (long) ((random.nextDouble() - 0.5) * 2 * 400_000_000_000L);
        };
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(seconds, nanos);
    }

    @Test
    void wireJsonWritesAndReadsInstantsThroughIsoInstants() throws Exception {
        ObjectMapper wire = WireJson.mapper();
        assertThat(wire.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(IsoInstants.Writer.class);
        DeserializationContext context = ((DefaultDeserializationContext) wire.getDeserializationContext())
                .createInstance(wire.getDeserializationConfig(), null, null);
        assertThat(context.findRootValueDeserializer(wire.constructType(Instant.class)))
                .isInstanceOf(IsoInstants.Reader.class);
    }

    /** Where a format is asked for, by a field or for the whole mapper, Jackson's own reader and writer answer. */
    @Test
    void formatsAskedForAreJacksonsOwn() throws Exception {
        Times times = new Times();
        times.number = times.pattern = times.plain = Instant.parse("2026-01-31T09:30:00.250Z");
        ObjectMapper ours = JsonMapper.builder().addModule(new JavaTimeModule()).addModule(IsoInstants.module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        assertThat(ours.writeValueAsString(times)).isEqualTo(JACKSON.writeValueAsString(times))
                .contains("\"plain\":\"2026-01-31T09:30:00.250Z\"");
        String json = "{\"number\":1769851800.25,\"pattern\":\"2026/01/31 09:30\",\"plain\":\"2026-01-31T09:30:00Z\"}";
        assertThat(ours.readValue(json, Times.class)).usingRecursiveComparison()
                .isEqualTo(JACKSON.readValue(json, Times.class));

        ObjectMapper numbers = ours.copy().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        assertThat(numbers.writeValueAsString(times.plain))
                .isEqualTo(JACKSON.copy().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writeValueAsString(times.plain));

        ObjectMapper strict = JsonMapper.builder().addModule(new JavaTimeModule()).addModule(IsoInstants.module())
                .defaultLeniency(false).build();
        ObjectMapper strictJackson = JsonMapper.builder().addModule(new JavaTimeModule()).defaultLeniency(false).build();
        for (String text : List.of("\"\"", "\"2026-01-31T09:30:00Z\"", "\"2026-01-31T09:30:00+01:00\"")) {
            assertThat(outcome(t -> read(strict, t), text)).as(text).isEqualTo(outcome(t -> read(strictJackson, t), text));
        }
    }

    /** Instants with and without a format of their own. */
    static final class Times {
        @JsonFormat(shape = JsonFormat.Shape.NUMBER)
        public Instant number;
        @JsonFormat(pattern = "yyyy/MM/dd HH:mm", timezone = "UTC")
        public Instant pattern;
        public Instant plain;
    }
}
