package dev.tributary.compat;

import static dev.tributary.compat.Topologies.toOut;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.ValueJoiner;

/**
 * Every join kind: stream-stream (inner, left, outer), stream-table, stream-global table,
 * table-table (inner, left, outer) and foreign-key. Inputs "left" and "right"; results
 * "left+right" (an absent side reads "null").
 */
final class JoinTopologies {
  private static final ValueJoiner<String, String, String> JOIN = (l, r) -> l + "+" + r;
  private static final JoinWindows WINDOWS =
      JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5), Duration.ofMillis(3));
  private static final JoinWindows NO_GRACE = JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(5));
  private static final JoinWindows ZERO = JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ZERO);
  /** A global table's key is the part of the stream value before ':' (none when empty). */
  private static final KeyValueMapper<String, String, String> GLOBAL_KEY =
      (k, v) -> v == null || v.startsWith(":") ? null : v.split(":")[0];

  private static String foreignKey(String value) {
    return value.split("\\|")[0];
  }

  private static KStream<String, String> left(StreamsBuilder b) {
    return b.stream("left");
  }

  private static KStream<String, String> rightStream(StreamsBuilder b) {
    return b.stream("right");
  }

  private static KTable<String, String> leftTable(StreamsBuilder b) {
    return b.table("left");
  }

  private static KTable<String, String> rightTable(StreamsBuilder b) {
    return b.table("right");
  }

  static void register(Map<String, Consumer<StreamsBuilder>> all) {
    all.put("ss-inner", b -> left(b).join(rightStream(b), JOIN, WINDOWS).to("out"));
    all.put("ss-inner-zero", b -> left(b).join(rightStream(b), JOIN, ZERO).to("out"));
    all.put("ss-left", b -> left(b).leftJoin(rightStream(b), JOIN, WINDOWS).to("out"));
    all.put("ss-outer", b -> left(b).outerJoin(rightStream(b), JOIN, WINDOWS).to("out"));
    all.put("ss-left-nograce", b -> left(b).leftJoin(rightStream(b), JOIN, NO_GRACE).to("out"));
    all.put("ss-outer-nograce", b -> left(b).outerJoin(rightStream(b), JOIN, NO_GRACE).to("out"));
    all.put("st-inner", b -> left(b).join(rightTable(b), JOIN).to("out"));
    all.put("st-left", b -> left(b).leftJoin(rightTable(b), JOIN).to("out"));
    all.put("sgt-inner", b -> {
      GlobalKTable<String, String> global = b.globalTable("right");
      left(b).join(global, GLOBAL_KEY, JOIN).to("out");
    });
    all.put("sgt-left", b -> {
      GlobalKTable<String, String> global = b.globalTable("right");
      left(b).leftJoin(global, GLOBAL_KEY, JOIN).to("out");
    });
    all.put("tt-inner", b -> toOut(leftTable(b).join(rightTable(b), JOIN)));
    all.put("tt-left", b -> toOut(leftTable(b).leftJoin(rightTable(b), JOIN)));
    all.put("tt-outer", b -> toOut(leftTable(b).outerJoin(rightTable(b), JOIN)));
    all.put("fk-inner", b -> toOut(leftTable(b).join(rightTable(b), JoinTopologies::foreignKey, JOIN)));
    all.put("fk-left", b -> toOut(leftTable(b).leftJoin(rightTable(b), JoinTopologies::foreignKey, JOIN)));
  }
}
