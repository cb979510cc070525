# Fetches the broker jars (org.apache.kafka:kafka_2.13 and the tools, scripts/kafka/pom.xml) from
# Maven Central into $KAFKA_LIBS once; later runs reuse them. Sourced after env.sh by
# scripts/kafka-start.sh and scripts/kafka-secure-start.sh; calls their `fail` on error.
kafka_fetch_jars() {
  [[ -f "$KAFKA_LIBS/.complete" ]] && return 0
  command -v mvn >/dev/null || fail "mvn not found: install Maven 3.8+ to fetch the Kafka jars"
  echo "fetching Kafka jars from Maven Central into $KAFKA_LIBS ..."
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" ||
    fail "Maven could not fetch org.apache.kafka:kafka_2.13 (see output above)"
  touch "$KAFKA_LIBS/.complete"
}
