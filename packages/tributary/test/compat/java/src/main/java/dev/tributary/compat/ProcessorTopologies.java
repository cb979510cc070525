package dev.tributary.compat;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Punctuation-driven emission through the processor API: counts per key, emitted by a punctuator. */
final class ProcessorTopologies {
  /** Counts records per key in store "counts"; every 10 ms of `type` time, forwards every count. */
  private static final class Counter implements Processor<String, String, String, String> {
    private final PunctuationType type;
    private KeyValueStore<String, Long> counts;

    Counter(PunctuationType type) {
      this.type = type;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
      counts = context.getStateStore("counts");
      context.schedule(Duration.ofMillis(10), type, time -> {
        try (KeyValueIterator<String, Long> all = counts.all()) {
          while (all.hasNext()) {
            KeyValue<String, Long> kv = all.next();
            context.forward(new Record<>(kv.key, kv.key + "=" + kv.value + "@" + time, time));
          }
        }
      });
    }

    @Override
    public void process(Record<String, String> record) {
      Long count = counts.get(record.key());
      counts.put(record.key(), count == null ? 1L : count + 1);
    }
  }

  private static void counter(StreamsBuilder b, PunctuationType type) {
    b.addStateStore(Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Long()));
    b.<String, String>stream("in").process(() -> new Counter(type), "counts").to("out");
  }

  static void register(Map<String, Consumer<StreamsBuilder>> all) {
    all.put("punctuate-wall-clock", b -> counter(b, PunctuationType.WALL_CLOCK_TIME));
    all.put("punctuate-stream-time", b -> counter(b, PunctuationType.STREAM_TIME));
  }
}
