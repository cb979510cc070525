package dev.tributary.compat;

import java.util.function.Consumer;
import java.util.Map;
import java.util.HashMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * The topologies the cases name, each also written in TypeScript under the same name
 * (../../../../../../../topologies). Every one reads String keys and values and writes String
 * keys and values to "out"; windowed keys are written as "key@start-end".
 */
final class Topologies {
  private static final Map<String, Consumer<StreamsBuilder>> ALL = new HashMap<>();

  static {
    WindowTopologies.register(ALL);
    JoinTopologies.register(ALL);
    TableTopologies.register(ALL);
    ProcessorTopologies.register(ALL);
    StreamTopologies.register(ALL);
  }

  static void build(String name, StreamsBuilder builder) {
    Consumer<StreamsBuilder> topology = ALL.get(name);
    if (topology == null) throw new IllegalArgumentException("no topology named " + name);
    topology.accept(builder);
  }

  static long num(String value) {
    return Long.parseLong(value);
  }

  static String str(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  static String label(Windowed<String> key) {
    return key.key() + "@" + key.window().start() + "-" + key.window().end();
  }

  /** Writes a windowed table's updates to "out". */
  static <V> void toOutWindowed(KTable<Windowed<String>, V> table) {
    table.toStream().map((k, v) -> KeyValue.pair(label(k), str(v))).to("out");
  }

  /** Writes a table's updates to "out". */
  static <V> void toOut(KTable<String, V> table) {
    table.toStream().mapValues(v -> str(v)).to("out");
  }
}
