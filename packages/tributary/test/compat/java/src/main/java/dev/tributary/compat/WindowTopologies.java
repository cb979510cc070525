package dev.tributary.compat;

import static dev.tributary.compat.Topologies.num;
import static dev.tributary.compat.Topologies.toOut;
import static dev.tributary.compat.Topologies.toOutWindowed;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

/** Windowed aggregations (tumbling, hopping, sliding, session) and suppress. */
final class WindowTopologies {
  private static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }

  private static KGroupedStream<String, String> grouped(StreamsBuilder b) {
    return b.<String, String>stream("in").groupByKey();
  }

  private static <S extends StateStore> Materialized<String, Long, S> longs() {
    return Materialized.with(Serdes.String(), Serdes.Long());
  }

  static void register(Map<String, Consumer<StreamsBuilder>> all) {
    all.put("tumbling-count", b ->
        toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(5))).count()));
    all.put("tumbling-sum-nograce", b ->
        toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeWithNoGrace(ms(10)))
            .aggregate(() -> 0L, (k, v, agg) -> agg + num(v), longs())));
    all.put("tumbling-reduce-nograce", b ->
        toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeWithNoGrace(ms(10))).reduce((a, v) -> a + "," + v)));
    all.put("hopping-sum", b ->
        toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(2)).advanceBy(ms(5)))
            .aggregate(() -> 0L, (k, v, agg) -> agg + num(v), longs())));
    all.put("sliding-sum", b ->
        toOutWindowed(grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(10), ms(5)))
            .aggregate(() -> 0L, (k, v, agg) -> agg + num(v), longs())));
    all.put("sliding-count-nograce", b ->
        toOutWindowed(grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(ms(5))).count()));
    all.put("session-sum", b ->
        toOutWindowed(grouped(b).windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(10), ms(5)))
            .aggregate(() -> 0L, (k, v, agg) -> agg + num(v), (k, a, c) -> a + c, longs())));
    all.put("session-count-nograce", b ->
        toOutWindowed(grouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(ms(5))).count()));
    all.put("tumbling-suppress", b ->
        toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(ms(10), ms(5))).count(longs())
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))));
    all.put("session-suppress", b ->
        toOutWindowed(grouped(b).windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(10), ms(2))).count(longs())
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))));
    all.put("sliding-suppress", b ->
        toOutWindowed(grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(10), ms(0))).count(longs())
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))));
    all.put("count-suppress-time-limit", b ->
        toOut(grouped(b).count(longs())
            .suppress(Suppressed.untilTimeLimit(ms(10), Suppressed.BufferConfig.unbounded()))));
    all.put("stream-aggregate", b ->
        toOut(grouped(b).aggregate(() -> 0L, (k, v, agg) -> agg + num(v), longs())));
    all.put("stream-reduce", b -> toOut(grouped(b).reduce((a, v) -> a + v)));
  }
}
