package bench;

import bench.OrderContract.Checked;
import bench.OrderContract.Raw;
import bench.OrderContract.UserProfile;
import bench.OrderContract.ValidOrder;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * order-analytics (apps/order-analytics/src/topology) in the Kafka Streams DSL: validate orders and
 * users (rejects to orders-dlq), drop duplicate orders (a window store of accepted ids, 24 h),
 * re-key by user_id and left-join the users table, count and sum per (region, segment) in 1-minute
 * windows with 30 s grace, write every update and the final result (suppress) to orders-processed,
 * and final results (WindowClosed) and anomalies to orders-outbox.
 */
final class OrderAnalytics {
  record DlqRecord(String reason, String topic, int partition, long offset, String key, String value) {}

  record Enriched(String order_id, String region, String segment, double total) {}

  record Aggregate(String region, String segment, long order_count, long revenue_micros) {}

  /** A row of orders-processed; `final` is a Java keyword, hence the property name. */
  record Row(
      long window_start,
      long window_end,
      String region,
      String segment,
      long order_count,
      double revenue,
      @JsonProperty("final") boolean finalRow) {}

  record Outbox(String event_id, long timestamp, String source, String type, Object payload) {}

  record Anomaly(long window_start, String region, String segment, double revenue, double trailing_average, double ratio) {}

  static final long WINDOW_MS = 60_000;
  /** The app's 30 s, unless the harness sets BENCH_GRACE_MS (--order-grace-ms). */
  static final long GRACE_MS = Long.parseLong(System.getenv().getOrDefault("BENCH_GRACE_MS", "30000"));
  static final long DEDUPE_RETENTION_MS = 24 * 3_600_000L;
  static final String ORDER_IDS = "accepted-order-ids";
  static final String HISTORY = "revenue-history";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private OrderAnalytics() {}

  static Topology build(String ordersRaw, String usersRaw, String processedTopic) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<String> str = Serdes.String();
    Serde<Raw> raw = OrderContract.rawSerde();
    Produced<String, DlqRecord> dlq = Produced.with(str, new JsonSerde<>(DlqRecord.class));
    String dlqTopic = processedTopic + "-dlq";
    String outboxTopic = processedTopic + "-outbox";

    Map<String, KStream<String, Checked<UserProfile>>> users =
        builder.stream(usersRaw, Consumed.with(str, raw).withTimestampExtractor(OrderContract.USER_TIME))
            .mapValues(OrderContract::validateUser)
            .split(org.apache.kafka.streams.kstream.Named.as("users-"))
            .branch((k, v) -> v.ok(), Branched.as("valid"))
            .defaultBranch(Branched.as("rejected"));
    users.get("users-rejected")
        .mapValues(v -> new Checked<UserProfile>(null, v.reason(), OrderContract.maskUser(v.raw())))
        .process(DeadLetter<UserProfile>::new)
        .to(dlqTopic, dlq);
    KTable<String, UserProfile> table =
        users.get("users-valid")
            .mapValues(Checked::value)
            .selectKey((k, u) -> u.user_id())
            .toTable(
                Materialized.<String, UserProfile, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("users")
                    .withKeySerde(str)
                    .withValueSerde(new JsonSerde<>(UserProfile.class)));

    Map<String, KStream<String, Checked<ValidOrder>>> orders =
        builder.stream(ordersRaw, Consumed.with(str, raw).withTimestampExtractor(OrderContract.ORDER_TIME))
            .processValues(ValidateOrders::new)
            .split(org.apache.kafka.streams.kstream.Named.as("orders-"))
            .branch((k, v) -> v.ok(), Branched.as("valid"))
            .defaultBranch(Branched.as("rejected"));
    orders.get("orders-rejected").process(DeadLetter<ValidOrder>::new).to(dlqTopic, dlq);

    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(ORDER_IDS, Duration.ofMillis(DEDUPE_RETENTION_MS), Duration.ZERO, false),
            str,
            Serdes.Long()));
    KStream<String, Enriched> enriched =
        orders.get("orders-valid")
            .mapValues(Checked::value)
            .processValues(Dedupe::new, ORDER_IDS)
            .selectKey((k, o) -> o.user_id())
            .leftJoin(
                table,
                (o, u) ->
                    new Enriched(
                        o.order_id(),
                        u == null ? OrderContract.UNKNOWN : u.region(),
                        u == null ? OrderContract.UNKNOWN : u.segment(),
                        o.total()),
                Joined.with(str, new JsonSerde<>(ValidOrder.class), null));

    KTable<org.apache.kafka.streams.kstream.Windowed<String>, Aggregate> windows =
        enriched
            .groupBy((k, e) -> groupKey(e.region(), e.segment()), Grouped.with(str, new JsonSerde<>(Enriched.class)))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(GRACE_MS)))
            .aggregate(
                () -> new Aggregate("", "", 0, 0),
                (k, e, agg) ->
                    new Aggregate(
                        e.region(), e.segment(), agg.order_count() + 1, agg.revenue_micros() + Math.round(e.total() * 1e6)),
                Materialized.<String, Aggregate, WindowStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("revenue-windows")
                    .withKeySerde(str)
                    .withValueSerde(new JsonSerde<>(Aggregate.class)));

    Produced<String, Row> processed = Produced.with(str, new JsonSerde<>(Row.class));
    windows.toStream()
        .filter((wk, agg) -> agg != null)
        .map((wk, agg) -> rowPair(wk.window().start(), wk.window().end(), agg, false))
        .to(processedTopic, processed);
    KStream<String, Row> finals =
        windows.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("revenue-finals"))
            .toStream()
            .filter((wk, agg) -> agg != null)
            .map((wk, agg) -> rowPair(wk.window().start(), wk.window().end(), agg, true));
    finals.to(processedTopic, processed);
    Produced<String, Outbox> outbox = Produced.with(str, new JsonSerde<>(Outbox.class));
    finals.mapValues((key, row) -> outboxEvent("WindowClosed", key, row.window_end(), row)).to(outboxTopic, outbox);
    builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY), str, new JsonSerde<>(long[].class)));
    finals.process(Anomalies::new, HISTORY).to(outboxTopic, outbox);
    return builder.build();
  }

  static String groupKey(String region, String segment) {
    try {
      return OrderContract.MAPPER.writeValueAsString(List.of(region, segment));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rowKey(Row row) {
    return ISO.format(java.time.Instant.ofEpochMilli(row.window_start())) + "|" + row.region() + "|" + row.segment();
  }

  static KeyValue<String, Row> rowPair(long start, long end, Aggregate agg, boolean isFinal) {
    double revenue = Math.round(agg.revenue_micros() / 1e4) / 100.0;
    Row row = new Row(start, end, agg.region(), agg.segment(), agg.order_count(), revenue, isFinal);
    return KeyValue.pair(rowKey(row), row);
  }

  static Outbox outboxEvent(String type, String key, long timestamp, Object payload) {
    return new Outbox(deterministicId(type + "|" + key), timestamp, "order-analytics", type, payload);
  }

  /** A UUID derived from name (SHA-1, version 5 layout), as the app's deterministicId. */
  static String deterministicId(String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      String hex = HexFormat.of().formatHex(h, 0, 16);
      return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
          + hex.substring(16, 20) + "-" + hex.substring(20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rejects an order whose record time is not its payload.timestamp (invalid-timestamp). */
  static final class ValidateOrders implements FixedKeyProcessor<String, Raw, Checked<ValidOrder>> {
    private FixedKeyProcessorContext<String, Checked<ValidOrder>> context;

    @Override
    public void init(FixedKeyProcessorContext<String, Checked<ValidOrder>> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Raw> record) {
      Raw value = record.value() == null ? new Raw(null, null) : record.value();
      Checked<ValidOrder> checked = OrderContract.validateOrder(value);
      if (checked.ok() && checked.value().timestamp() != record.timestamp()) {
        long time = checked.value().timestamp();
        String problem =
            OrderContract.eventTimeProblem(time, context.currentStreamTimeMs(), context.currentSystemTimeMs());
        if (problem == null)
          problem = "payload.timestamp " + time + " is outside the accepted window of its partition's stream time";
        checked = new Checked<>(null, "invalid-timestamp: " + problem, value);
      }
      context.forward(record.withValue(checked));
    }
  }

  /** A rejected record as its orders-dlq value, with the origin of the raw record. */
  static final class DeadLetter<T> implements Processor<String, Checked<T>, String, DlqRecord> {
    private ProcessorContext<String, DlqRecord> context;

    @Override
    public void init(ProcessorContext<String, DlqRecord> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, Checked<T>> record) {
      var origin = context.recordMetadata();
      Checked<T> c = record.value();
      context.forward(
          record.withValue(
              new DlqRecord(
                  c.reason(),
                  origin.map(m -> m.topic()).orElse(""),
                  origin.map(m -> m.partition()).orElse(-1),
                  origin.map(m -> m.offset()).orElse(-1L),
                  record.key(),
                  c.raw().text())));
    }
  }

  /** Passes an order the first time its order_id is seen (before the re-key, keyed by order_id). */
  static final class Dedupe implements FixedKeyProcessor<String, ValidOrder, ValidOrder> {
    private FixedKeyProcessorContext<String, ValidOrder> context;
    private WindowStore<String, Long> seen;

    @Override
    public void init(FixedKeyProcessorContext<String, ValidOrder> context) {
      this.context = context;
      this.seen = context.getStateStore(ORDER_IDS);
    }

    @Override
    public void process(FixedKeyRecord<String, ValidOrder> record) {
      ValidOrder order = record.value();
      try (WindowStoreIterator<Long> earlier = seen.fetch(order.order_id(), 0L, Long.MAX_VALUE)) {
        if (earlier.hasNext()) return;
      }
      seen.put(order.order_id(), 1L, order.timestamp());
      context.forward(record);
    }
  }

  /** Final windows above 3x the mean of the same group's last 10 (at least 3) give an AnomalyDetected. */
  static final class Anomalies implements Processor<String, Row, String, Outbox> {
    private ProcessorContext<String, Outbox> context;
    private KeyValueStore<String, long[]> history;

    @Override
    public void init(ProcessorContext<String, Outbox> context) {
      this.context = context;
      this.history = context.getStateStore(HISTORY);
    }

    @Override
    public void process(Record<String, Row> record) {
      Row row = record.value();
      String key = groupKey(row.region(), row.segment());
      long[] past = history.get(key);
      if (past == null) past = new long[0];
      long cents = Math.round(row.revenue() * 100);
      if (past.length >= 3) {
        double average = 0;
        for (long c : past) average += c;
        average /= past.length;
        if (average > 0 && cents > 3 * average) {
          String id = rowKey(row);
          Anomaly a =
              new Anomaly(
                  row.window_start(),
                  row.region(),
                  row.segment(),
                  row.revenue(),
                  Math.round(average) / 100.0,
                  Math.round(cents / average * 1000) / 1000.0);
          context.forward(record.withKey(id).withValue(outboxEvent("AnomalyDetected", id, row.window_end(), a)));
        }
      }
      List<Long> next = new ArrayList<>();
      for (long c : past) next.add(c);
      next.add(cents);
      history.put(key, next.subList(Math.max(0, next.size() - 10), next.size()).stream().mapToLong(Long::longValue).toArray());
    }
  }
}
