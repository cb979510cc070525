package bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The Kafka Streams peer of the benchmark harness: runs one benchmark topology until SIGTERM, then
 * closes cleanly. Settings come from the harness's BENCH_* environment variables; everything else
 * is Kafka Streams' default for the guarantee (exactly_once_v2 for exactly-once). BENCH_CACHE=off
 * turns the record cache off (comparable to Tributary, which has none); "default" keeps its 10 MB.
 */
public final class Main {
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, env.get("BENCH_APP_ID"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("BENCH_BROKERS"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, env.get("BENCH_STATE_DIR"));
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, env.get("BENCH_COMMIT_INTERVAL_MS"));
    props.put(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        "exactly-once".equals(env.get("BENCH_GUARANTEE"))
            ? StreamsConfig.EXACTLY_ONCE_V2
            : StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    if ("off".equals(env.get("BENCH_CACHE"))) {
      props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    }
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    KafkaStreams streams =
        new KafkaStreams(
            Topologies.build(
                env.get("BENCH_TOPOLOGY"),
                env.get("BENCH_INPUT"),
                env.getOrDefault("BENCH_TABLE", ""),
                env.get("BENCH_OUTPUT")),
            props);
    CountDownLatch closed = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(
        error -> {
          error.printStackTrace();
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
            closed.countDown();
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close();
                  closed.countDown();
                }));
    streams.start();
    closed.await();
  }
}
