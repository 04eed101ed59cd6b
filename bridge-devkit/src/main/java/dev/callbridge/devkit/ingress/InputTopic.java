package dev.callbridge.devkit.ingress;

import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.CommittedRecords;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the ingress wrote: the ids of the events in the input topic, read as the bridge reads them. */
public final class InputTopic {

    private InputTopic() {}

    public static Set<String> eventIds(String bootstrapServers, String topic) {
        CloudEventCodec codec = new CloudEventCodec();
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : CommittedRecords.readAll(bootstrapServers, topic)) {
            ids.add(codec.decode(record.value(), Map.of()).id());
        }
        return ids;
    }
}
