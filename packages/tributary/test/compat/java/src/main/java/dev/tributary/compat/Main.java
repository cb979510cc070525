package dev.tributary.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A case is {"name", "topology", "steps"}; a step is [topic, key, value, timestamp] (null key or
 * value allowed) or {"advance": ms of wall-clock time}.
 *
 * Runs every case of the JSON files in a folder through Kafka Streams' TopologyTestDriver (caching
 * off) and prints, as one JSON object keyed by case name, the records each case wrote to the topic
 * "out": key, value, timestamp and the index of the step after which it was read. A step that
 * throws ends its case with {"error": class name} after the records emitted before it.
 *
 * Usage: Main CASES_DIR
 */
public final class Main {
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode results = json.createObjectNode();
    File[] files = new File(args[0]).listFiles((dir, name) -> name.endsWith(".json"));
    Arrays.sort(files);
    for (File file : files) {
      for (JsonNode c : json.readTree(file)) {
        results.set(c.get("name").asText(), run(json, c));
      }
    }
    System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(results));
  }

  private static ArrayNode run(ObjectMapper json, JsonNode c) {
    StreamsBuilder builder = new StreamsBuilder();
    Topologies.build(c.get("topology").asText(), builder);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compat");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // Kafka Streams throttles two scans to once per second of wall-clock time (internal configs, a
    // performance measure): unmatched left/outer join results and emit-on-window-close finals.
    // Tributary emits as soon as stream time allows, which is Kafka Streams with both intervals 0.
    props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_OUTER_JOIN_SPURIOUS_RESULTS_FIX, 0L);
    props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    ArrayNode out = json.createArrayNode();
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(0))) {
      Map<String, TestInputTopic<String, String>> inputs = new HashMap<>();
      TestOutputTopic<String, String> output =
          driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
      JsonNode steps = c.get("steps");
      for (int i = 0; i < steps.size(); i++) {
        JsonNode step = steps.get(i);
        try {
          if (step.has("advance")) {
            driver.advanceWallClockTime(Duration.ofMillis(step.get("advance").asLong()));
          } else {
            TestInputTopic<String, String> input = inputs.computeIfAbsent(step.get(0).asText(),
                t -> driver.createInputTopic(t, new StringSerializer(), new StringSerializer()));
            input.pipeInput(new TestRecord<>(text(step.get(1)), text(step.get(2)), null, step.get(3).asLong()));
          }
        } catch (RuntimeException e) {
          drain(output, out, i);
          out.addObject().put("step", i).put("error", e.getClass().getSimpleName());
          return out;
        }
        drain(output, out, i);
      }
    }
    return out;
  }

  private static String text(JsonNode node) {
    return node.isNull() ? null : node.asText();
  }

  private static void drain(TestOutputTopic<String, String> output, ArrayNode out, int step) {
    while (!output.isEmpty()) {
      TestRecord<String, String> r = output.readRecord();
      out.addObject()
          .put("step", step)
          .put("key", r.key())
          .put("value", r.value())
          .put("ts", r.timestamp());
    }
  }
}
