package bench;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

/** The benchmark topologies, the same as bench/systems/tributary-topologies.ts, in the Kafka Streams DSL. */
final class Topologies {
  record Event(long id, int amount, String region) {}

  record Cents(long id, long cents, String region) {}

  record TableRow(String name, int tier) {}

  record Joined(long id, int amount, int tier) {}

  private Topologies() {}

  static Topology build(String topology, String input, String table, String output) {
    if (topology.equals("order-analytics")) return OrderAnalytics.build(input, table, output);
    StreamsBuilder builder = new StreamsBuilder();
    Serde<String> str = Serdes.String();
    KStream<String, Event> events =
        builder.stream(input, Consumed.with(str, new JsonSerde<>(Event.class)));
    switch (topology) {
      case "stateless" ->
          events
              .filter((k, e) -> e.amount() >= 100)
              .mapValues(e -> new Cents(e.id(), e.amount() * 100L, e.region().toUpperCase()))
              .to(output, Produced.with(str, new JsonSerde<>(Cents.class)));
      case "count" ->
          events
              .groupByKey()
              .count(Materialized.as("counts"))
              .toStream()
              .mapValues(String::valueOf)
              .to(output, Produced.with(str, str));
      case "windowed" ->
          events
              .groupByKey()
              .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ZERO))
              .count(Materialized.as("window-counts"))
              .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
              .toStream()
              .map((wk, n) -> KeyValue.pair(wk.key() + "@" + wk.window().start(), String.valueOf(n)))
              .to(output, Produced.with(str, str));
      case "join" -> {
        KTable<String, TableRow> rows =
            builder.table(
                table,
                Consumed.with(str, new JsonSerde<>(TableRow.class)),
                Materialized.as("table"));
        events
            .join(rows, (e, row) -> new Joined(e.id(), e.amount(), row.tier()))
            .to(output, Produced.with(str, new JsonSerde<>(Joined.class)));
      }
      default -> throw new IllegalArgumentException("no Kafka Streams topology " + topology);
    }
    return builder.build();
  }
}
