package dev.callbridge.ingress;

import dev.callbridge.model.event.Violation;
import java.util.List;

/** What a webhook comes to: call events to write, or the answer it gets without any. */
sealed interface Intake {

    /** Events to write to Kafka, checked as the bridge will read them; answered 200 once Kafka has them all. */
    record Events(List<InputRecord> records) implements Intake {

        public Events {
            records = List.copyOf(records);
        }
    }

    /** A webhook the bridge has no use for, such as a call that is still ringing; answered 204. */
    record Ignored(String why) implements Intake {}

    /** No signature, or one that does not check out; answered 401. */
    record Unauthorized(String why) implements Intake {}

    /** A body that cannot become a valid call event; answered 400 with every violation found. */
    record Invalid(List<Violation> violations) implements Intake {

        public Invalid {
            violations = List.copyOf(violations);
        }
    }

    /** A body over the limit; answered 413. */
    record TooLarge(int limitBytes) implements Intake {}

    /** A body in a media type the endpoint does not read; answered 415. */
    record UnsupportedMediaType(String expected) implements Intake {}
}
