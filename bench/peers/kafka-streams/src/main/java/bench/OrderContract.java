package bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * order-analytics' data contract (apps/order-analytics/src/contract), ported rule for rule: raw
 * values parsed once by a serde that never throws, the validation of orders and users, and the
 * event-time extractors. Reasons are the app's, so orders-dlq reads the same.
 */
final class OrderContract {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final long DAY_MS = 86_400_000L;
  static final long MAX_SKEW_MS = 365 * DAY_MS;
  static final double MAX_AMOUNT = 1e9;
  static final double MAX_QUANTITY = 1e6;
  static final double TOTAL_TOLERANCE = 0.01 + 1e-9;
  static final String UNKNOWN = "unknown";

  /** A raw value: its text, and its JSON when the text parses (json null otherwise). */
  record Raw(String text, JsonNode json) {}

  record ValidOrder(String order_id, String user_id, double total, long timestamp) {}

  record UserProfile(String user_id, String region, String segment) {}

  /** A validated value, or the reason it was rejected with its raw value. */
  record Checked<T>(T value, String reason, Raw raw) {
    boolean ok() {
      return reason == null;
    }
  }

  private OrderContract() {}

  static Serde<Raw> rawSerde() {
    return Serdes.serdeFrom(
        (topic, raw) -> raw == null || raw.text() == null ? null : raw.text().getBytes(StandardCharsets.UTF_8),
        (topic, bytes) -> parse(bytes == null ? null : new String(bytes, StandardCharsets.UTF_8)));
  }

  static Raw parse(String text) {
    if (text == null) return new Raw(null, null);
    try {
      return new Raw(text, MAPPER.readTree(text));
    } catch (IOException e) {
      return new Raw(text, null);
    }
  }

  private static String kindOf(JsonNode x) {
    if (x.isNull()) return "null";
    if (x.isArray()) return "array";
    if (x.isObject()) return "object";
    if (x.isNumber()) return "number";
    if (x.isTextual()) return "string";
    return x.isBoolean() ? "boolean" : "undefined";
  }

  private static String check(JsonNode obj, String path, String field, String kind) {
    JsonNode value = obj.get(field);
    if (value == null) return "missing-field: " + path + field;
    String actual = kindOf(value);
    if (!actual.equals(kind)) return "wrong-type: " + path + field + " is " + actual + ", expected " + kind;
    if (kind.equals("number") && !Double.isFinite(value.asDouble()))
      return "wrong-type: " + path + field + " is not a finite number";
    if (kind.equals("string")) {
      String problem = textProblem(value.asText());
      if (problem != null) return "invalid-string: " + path + field + " has a " + problem;
    }
    return null;
  }

  private static final String[][] ENVELOPE = {
    {"event_id", "string"}, {"timestamp", "number"}, {"source", "string"}, {"type", "string"}, {"payload", "object"}
  };
  private static final String[][] PAYLOAD = {
    {"order_id", "string"}, {"user_id", "string"}, {"items", "array"}, {"total", "number"}, {"timestamp", "number"}
  };
  private static final String[][] ITEM = {{"sku", "string"}, {"quantity", "number"}, {"price", "number"}};

  static Checked<ValidOrder> validateOrder(Raw raw) {
    String failure = orderProblem(raw);
    if (failure != null) return new Checked<>(null, failure, raw);
    JsonNode p = raw.json().get("payload");
    return new Checked<>(
        new ValidOrder(
            p.get("order_id").asText(),
            p.get("user_id").asText(),
            p.get("total").asDouble(),
            (long) Math.floor(p.get("timestamp").asDouble())),
        null,
        raw);
  }

  private static String orderProblem(Raw raw) {
    if (raw.json() == null)
      return "invalid-json: " + (raw.text() == null ? "null value" : "value is not valid JSON");
    JsonNode env = raw.json();
    if (!env.isObject()) return "wrong-type: value is " + kindOf(env) + ", expected object";
    for (String[] f : ENVELOPE) {
      String failure = check(env, "", f[0], f[1]);
      if (failure != null) return failure;
    }
    JsonNode payload = env.get("payload");
    for (String[] f : PAYLOAD) {
      String failure = check(payload, "payload.", f[0], f[1]);
      if (failure != null) return failure;
    }
    if (!env.get("type").asText().equals("OrderPlaced"))
      return "wrong-event-type: type is " + env.get("type") + ", expected \"OrderPlaced\"";
    double timestamp = payload.get("timestamp").asDouble();
    if (timestamp < 0) return "invalid-timestamp: payload.timestamp " + timestamp + " is negative";
    JsonNode items = payload.get("items");
    if (items.isEmpty()) return "no-items: payload.items is empty";
    double sum = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String path = "payload.items[" + i + "].";
      if (!item.isObject()) return "wrong-type: payload.items[" + i + "] is " + kindOf(item) + ", expected object";
      for (String[] f : ITEM) {
        if (f[1].equals("number") && item.has(f[0]) && item.get(f[0]).isNumber()) continue;
        String failure = check(item, path, f[0], f[1]);
        if (failure != null) return failure;
      }
      double quantity = item.get("quantity").asDouble();
      double price = item.get("price").asDouble();
      if (quantity != Math.floor(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
        return "invalid-quantity: " + path + "quantity " + quantity + " is not an integer from 1 to 1000000";
      if (!Double.isFinite(price) || price < 0 || price > MAX_AMOUNT)
        return "invalid-price: " + path + "price " + price + " is not a number from 0 to 1000000000";
      sum += quantity * price;
    }
    double total = payload.get("total").asDouble();
    if (total < 0 || total > MAX_AMOUNT)
      return "invalid-total: payload.total " + total + " is not a number from 0 to 1000000000";
    if (Math.abs(total - sum) > TOTAL_TOLERANCE)
      return "total-mismatch: payload.total "
          + total
          + " differs from sum(quantity * price) "
          + String.format(Locale.ROOT, "%.2f", sum)
          + " by more than 0.01";
    return null;
  }

  static Checked<UserProfile> validateUser(Raw raw) {
    if (raw.json() == null)
      return new Checked<>(
          null, "invalid-json: " + (raw.text() == null ? "null value" : "value is not valid JSON"), raw);
    JsonNode payload = raw.json().isObject() ? raw.json().get("payload") : null;
    JsonNode userId = payload != null && payload.isObject() ? payload.get("user_id") : null;
    if (userId == null || userId.isNull()) return new Checked<>(null, "missing-field: payload.user_id", raw);
    if (!userId.isTextual())
      return new Checked<>(
          null, "wrong-type: payload.user_id is " + kindOf(userId) + ", expected string", raw);
    for (String field : new String[] {"user_id", "region", "segment"}) {
      JsonNode value = payload.get(field);
      String problem = value != null && value.isTextual() ? textProblem(value.asText()) : null;
      if (problem != null)
        return new Checked<>(null, "invalid-string: payload." + field + " has a " + problem, raw);
    }
    return new Checked<>(
        new UserProfile(userId.asText(), label(payload.get("region")), label(payload.get("segment"))),
        null,
        raw);
  }

  private static String label(JsonNode x) {
    return x != null && x.isTextual() && !x.asText().isEmpty() ? x.asText() : UNKNOWN;
  }

  /** A control character or a lone surrogate, as the app's text-check.ts reports it; else null. */
  static String textProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return "control character " + hex(c) + " at index " + i;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        return "lone surrogate " + hex(c) + " at index " + i;
      }
      if (Character.isLowSurrogate(c)) return "lone surrogate " + hex(c) + " at index " + i;
    }
    return null;
  }

  private static String hex(char c) {
    return String.format(Locale.ROOT, "U+%04X", (int) c);
  }

  /** Why an event time is refused against the partition's stream time and the clock, or null. */
  static String eventTimeProblem(long time, long streamTime, long now) {
    if (time > now + MAX_SKEW_MS) return "payload.timestamp " + time + " is more than 365 days ahead of the clock";
    if (streamTime >= 0 && Math.abs(time - streamTime) > MAX_SKEW_MS)
      return "payload.timestamp " + time + " is more than 365 days from the stream time " + streamTime;
    return null;
  }

  static long fallbackTime(long recordTimestamp, long partitionTime) {
    return partitionTime >= 0 ? partitionTime : Math.max(0, recordTimestamp);
  }

  /** An order's event time: payload.timestamp when acceptable, else the partition's time. */
  static final TimestampExtractor ORDER_TIME =
      (ConsumerRecord<Object, Object> record, long partitionTime) -> {
        Raw raw = (Raw) record.value();
        JsonNode ts = raw == null || raw.json() == null ? null : raw.json().path("payload").get("timestamp");
        if (ts != null && ts.isNumber() && Double.isFinite(ts.asDouble()) && ts.asDouble() >= 0) {
          long time = (long) Math.floor(ts.asDouble());
          if (eventTimeProblem(time, partitionTime, System.currentTimeMillis()) == null) return time;
        }
        return fallbackTime(record.timestamp(), partitionTime);
      };

  /** A user's event time: the envelope timestamp, else payload.created_at, else the partition's. */
  static final TimestampExtractor USER_TIME =
      (ConsumerRecord<Object, Object> record, long partitionTime) -> {
        Raw raw = (Raw) record.value();
        JsonNode env = raw == null ? null : raw.json();
        JsonNode ts = null;
        if (env != null && env.isObject())
          ts = env.path("timestamp").isNumber() ? env.get("timestamp") : env.path("payload").get("created_at");
        if (ts != null && ts.isNumber() && Double.isFinite(ts.asDouble()) && ts.asDouble() >= 0) {
          long time = (long) Math.floor(ts.asDouble());
          if (eventTimeProblem(time, partitionTime, System.currentTimeMillis()) == null) return time;
        }
        return fallbackTime(record.timestamp(), partitionTime);
      };

  /** A rejected user's raw value with its personal fields redacted; unreadable values withheld. */
  static Raw maskUser(Raw raw) {
    if (raw.json() == null) return new Raw(null, null);
    JsonNode copy = raw.json().deepCopy();
    if (copy.path("payload") instanceof ObjectNode p) {
      if (p.has("email")) p.put("email", "[redacted]");
      if (p.has("name")) p.put("name", "[redacted]");
    }
    return new Raw(copy.toString(), copy);
  }
}
