package dev.tributary.compat;

import static dev.tributary.compat.Topologies.toOut;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Stateless steps feeding a stateful one: timestamps and order through flatMapValues, merge, map
 * and repartitions. Inputs "in" (and "left"/"right" for merge).
 */
final class StreamTopologies {
  private static KStream<String, String> stream(StreamsBuilder b, String topic) {
    return b.stream(topic);
  }

  static void register(Map<String, Consumer<StreamsBuilder>> all) {
    all.put("flatmapvalues", b -> stream(b, "in").flatMapValues(v -> Arrays.asList(v.split(","))).to("out"));
    all.put("merge-count", b -> toOut(stream(b, "left").merge(stream(b, "right")).groupByKey().count()));
    all.put("map-groupbykey-reduce", b -> toOut(stream(b, "in")
        .map((k, v) -> KeyValue.pair(v.substring(0, 1), v)).groupByKey().reduce((a, v) -> a + "|" + v)));
    all.put("repartition-partitions-count", b -> toOut(stream(b, "in")
        .repartition(Repartitioned.<String, String>numberOfPartitions(3)).groupByKey().count()));
  }
}
