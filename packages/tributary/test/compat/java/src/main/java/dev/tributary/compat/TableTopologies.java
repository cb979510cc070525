package dev.tributary.compat;

import static dev.tributary.compat.Topologies.num;
import static dev.tributary.compat.Topologies.toOut;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;

/** Tables, table aggregations with re-keying, and repartitioning. Input "in". */
final class TableTopologies {
  private static KStream<String, String> stream(StreamsBuilder b) {
    return b.stream("in");
  }

  private static KTable<String, String> table(StreamsBuilder b) {
    return b.table("in");
  }

  static void register(Map<String, Consumer<StreamsBuilder>> all) {
    // Values "group:amount": re-keyed by group, amounts summed.
    all.put("table-groupby-sum", b -> toOut(table(b)
        .groupBy((k, v) -> KeyValue.pair(v.split(":")[0], v.split(":")[1]))
        .aggregate(() -> 0L, (k, v, agg) -> agg + num(v), (k, v, agg) -> agg - num(v),
            Materialized.with(Serdes.String(), Serdes.Long()))));
    all.put("table-groupby-count", b -> toOut(table(b).groupBy((k, v) -> KeyValue.pair(v, v)).count()));
    all.put("table-filter", b -> toOut(table(b).filter((k, v) -> num(v) > 0)));
    all.put("table-mapvalues", b -> toOut(table(b).mapValues(v -> v + "!")));
    all.put("stream-totable", b -> toOut(stream(b).toTable()));
    // A selector returning null drops the record.
    all.put("stream-groupby-count", b -> toOut(stream(b)
        .groupBy((k, v) -> v.equals("drop") ? null : v).count()));
    all.put("selectkey-count", b -> toOut(stream(b)
        .selectKey((k, v) -> v.equals("drop") ? null : v).groupByKey().count()));
    all.put("repartition-reduce", b -> toOut(stream(b).repartition().groupByKey().reduce((a, v) -> a + v)));
  }
}
