package dev.callbridge.model.json;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Times as text, written and read without {@link java.time.format.DateTimeFormatter}: every call state
 * the bridge stores holds a few, and every event one, so formatting and parsing them took a tenth of
 * the reconciler's thread. What this writes is exactly {@link Instant#toString()}; what it reads, it
 * reads as the JDK does. Only the common shapes are read here ({@code 2026-01-31T09:30:00Z}, with up
 * to nine digits of fraction, and for RFC 3339 an offset of {@code ±hh:mm} too); anything else, wrong
 * or not, goes to the JDK's parser (or Jackson's), so its answers and its errors are unchanged.
 */
public final class IsoInstants {

    private static final long SECONDS_PER_DAY = 86_400;
    private static final int[] POWERS = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private IsoInstants() {}

    /** {@link Instant#toString()}, for the years 0 to 9999. */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        long[] date = civilFromDays(days);
        if (date[0] < 0 || date[0] > 9999) {
            return instant.toString();
        }
        int nanos = instant.getNano();
        char[] out = new char[30];
        int at = 0;
        at = digits(out, at, (int) date[0], 4);
        out[at++] = '-';
        at = digits(out, at, (int) date[1], 2);
        out[at++] = '-';
        at = digits(out, at, (int) date[2], 2);
        out[at++] = 'T';
        at = digits(out, at, secondOfDay / 3600, 2);
        out[at++] = ':';
        at = digits(out, at, secondOfDay / 60 % 60, 2);
        out[at++] = ':';
        at = digits(out, at, secondOfDay % 60, 2);
        if (nanos != 0) {
            out[at++] = '.';
            if (nanos % 1_000_000 == 0) {
                at = digits(out, at, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                at = digits(out, at, nanos / 1_000, 6);
            } else {
                at = digits(out, at, nanos, 9);
            }
        }
        out[at++] = 'Z';
        return new String(out, 0, at);
    }

    /**
     * {@code OffsetDateTime.parse(text).toInstant()}: an RFC 3339 timestamp.
     *
     * @throws java.time.format.DateTimeParseException as {@link OffsetDateTime#parse} does
     */
    public static Instant parseOffsetDateTime(CharSequence text) {
        Instant fast = parseCommon(text, true);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * The instant of {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, or with {@code offsets} also of
     * {@code ...±hh:mm}; {@code null} when the text has any other shape or a field out of its range
     * (the JDK's parser then decides).
     */
    static Instant parseCommon(CharSequence text, boolean offsets) {
        int length = text.length();
        if (length < 20 || length > 35) {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > monthLength(year, month) || hour < 0
                || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            at++;
            int start = at;
            while (at < length && at - start < 9 && isDigit(text.charAt(at))) {
                nanos += (text.charAt(at) - '0') * POWERS[at - start];
                at++;
            }
            if (at == start || at < length && isDigit(text.charAt(at))) {
                return null;
            }
        }
        int offsetSeconds;
        if (at == length - 1 && text.charAt(at) == 'Z') {
            offsetSeconds = 0;
        } else if (offsets && at == length - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-')
                && text.charAt(at + 3) == ':') {
            int offsetHours = number(text, at + 1, 2);
            int offsetMinutes = number(text, at + 4, 2);
            if (offsetHours < 0 || offsetHours > 17 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(at) == '-' ? -1 : 1);
        } else {
            return null;
        }
        long seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second
                - offsetSeconds;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /**
     * The module that puts {@link Writer} and {@link Reader} in place of {@code JavaTimeModule}'s own
     * for {@link Instant}; registered after it.
     */
    public static SimpleModule module() {
        return new SimpleModule("iso-instants")
                .addSerializer(Instant.class, new Writer())
                .addDeserializer(Instant.class, new Reader());
    }

    /**
     * Writes instants as {@link #format}. Where a format is asked for (a {@code @JsonFormat}, a
     * mapper-wide override, or timestamps as numbers), Jackson's own serializer writes them.
     */
    public static final class Writer extends StdScalarSerializer<Instant> implements ContextualSerializer {

        public Writer() {
            super(Instant.class);
        }

        @Override
        public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property)
                throws JsonMappingException {
            JsonFormat.Value format = findFormatOverrides(provider, property, handledType());
            return isDefault(format) ? this : InstantSerializer.INSTANCE.createContextual(provider, property);
        }

        @Override
        public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            if (provider.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
                InstantSerializer.INSTANCE.serialize(value, generator, provider);
            } else {
                generator.writeString(format(value));
            }
        }
    }

    /**
     * Reads instants written as {@link #format} here and hands every other token to Jackson's reader;
     * where a format is asked for, Jackson's reader reads them all.
     */
    public static final class Reader extends StdScalarDeserializer<Instant> implements ContextualDeserializer {

        private final JsonDeserializer<Instant> others;

        public Reader() {
            this(InstantDeserializer.INSTANT);
        }

        private Reader(JsonDeserializer<Instant> others) {
            super(Instant.class);
            this.others = others;
        }

        @Override
        @SuppressWarnings("unchecked")
        public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property)
                throws JsonMappingException {
            JsonDeserializer<Instant> jackson = (JsonDeserializer<Instant>) InstantDeserializer.INSTANT
                    .createContextual(context, property);
            JsonFormat.Value format = findFormatOverrides(context, property, handledType());
            return isDefault(format) ? new Reader(jackson) : jackson;
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.hasToken(JsonToken.VALUE_STRING)) {
                Instant fast = parseCommon(parser.getText(), false);
                if (fast != null) {
                    return fast;
                }
            }
            return others.deserialize(parser, context);
        }
    }

    private static boolean isDefault(JsonFormat.Value format) {
        return format == null || format.equals(JsonFormat.Value.empty());
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    /** The number written in {@code width} ASCII digits from {@code from}, or -1. */
    private static int number(CharSequence text, int from, int width) {
        int value = 0;
        for (int i = from; i < from + width; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int monthLength(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    // Days from and to 1970-01-01 in the proleptic Gregorian calendar (the "civil" algorithms).

    private static long daysFromCivil(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static long[] civilFromDays(long days) {
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        return new long[] {year, month, day};
    }
}
