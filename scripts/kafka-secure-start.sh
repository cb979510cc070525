#!/usr/bin/env bash
# Starts a secured Apache Kafka node (combined KRaft broker + controller) for the security tests
# and for trying the docs/security.md setup by hand:
#   - clients reach it only on a SASL_SSL listener, $KAFKA_HOST:$KAFKA_SECURE_PORT (default 9094):
#     TLS with a broker certificate signed by a CA made here (openssl), SCRAM-SHA-512 users
#     created in the KRaft storage when it is formatted (`--add-scram`);
#   - the controller listener ($KAFKA_SECURE_CONTROLLER_PORT, default 9095) takes SASL PLAIN from
#     the admin only (KRaft cannot use SCRAM there): nothing on this broker speaks plaintext
#     to an unauthenticated client;
#   - StandardAuthorizer with allow.everyone.if.no.acl.found=false; `admin` is the only super user.
# Users (random passwords): admin, producer, streams, sink, dashboard, outsider (never granted
# anything). Every start that is not a reuse is from fresh storage and fresh certificates, in
# $KAFKA_SECURE_DIR (default .kafka-secure/): tls/ca.pem (trust this), tls/other-ca.pem (an
# unrelated CA, for "wrong CA" tests), clients.json (bootstrap, CA files, users and passwords),
# admin.properties (--command-config of kafka-acls.sh and friends), logs/. The jars are those of
# scripts/kafka-start.sh (.kafka/libs). Prints the path of clients.json on its last line.
# A broker this script started and still running is reused (unless --fresh). Exits non-zero,
# saying why, if it cannot start.
#   scripts/kafka-secure-start.sh [--fresh]     scripts/kafka-secure-stop.sh
set -euo pipefail
source "$(dirname "$0")/kafka/env.sh"
source "$(dirname "$0")/kafka/fetch-jars.sh"
source "$(dirname "$0")/use-node.sh" 24 # wait-ready.mjs uses the Kafka client
cd "$ROOT"

DIR="${KAFKA_SECURE_DIR:-$ROOT/.kafka-secure}"
PORT="${KAFKA_SECURE_PORT:-9094}"
CONTROLLER_PORT="${KAFKA_SECURE_CONTROLLER_PORT:-9095}"
PID_FILE="$DIR/kafka.pid"
STDOUT="$DIR/logs/kafka.out"
USERS=(admin producer streams sink dashboard outsider)

fail() {
  echo "kafka-secure-start: $*" >&2
  exit 1
}
running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

if [[ "${1:-}" == "--fresh" ]]; then "$ROOT/scripts/kafka-secure-stop.sh" >&2; fi
if running && [[ -f "$DIR/clients.json" ]]; then
  echo "kafka-secure-start: already running (pid $(cat "$PID_FILE")) on $KAFKA_HOST:$PORT" >&2
  echo "$DIR/clients.json"
  exit 0
fi
rm -f "$PID_FILE"
for port in "$PORT" "$CONTROLLER_PORT"; do
  port_open "$KAFKA_HOST" "$port" && fail "port $KAFKA_HOST:$port is taken; set KAFKA_SECURE_PORT / KAFKA_SECURE_CONTROLLER_PORT"
done
command -v java >/dev/null || fail "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
command -v openssl >/dev/null || fail "openssl not found (Debian: apt-get install openssl)"
[[ -d "$ROOT/node_modules/@platformatic/kafka" ]] || fail "node_modules missing: run npm ci first"
kafka_fetch_jars >&2
CP="$KAFKA_LIBS/*"

# 1. Fresh directory, passwords.
rm -rf "$DIR"
mkdir -p "$DIR/tls" "$DIR/data" "$DIR/logs"
chmod 700 "$DIR"
declare -A PASSWORD
for user in "${USERS[@]}"; do PASSWORD[$user]="$(openssl rand -hex 16)"; done
STORE_PASSWORD="$(openssl rand -hex 16)"

# 2. Certificates: a CA, the broker's certificate (for 127.0.0.1 and localhost) signed by it, a
#    PKCS#12 keystore holding it; and an unrelated CA that must not be trusted.
(
  cd "$DIR/tls"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 7 -subj "/CN=Tributary test CA"
  openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem -days 7 -subj "/CN=Unrelated CA"
  openssl req "${ec[@]}" -keyout broker.key -out broker.csr -subj "/CN=localhost"
  printf '%s\n' "subjectAltName=IP:$KAFKA_HOST,IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
    "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth,clientAuth" >broker.ext
  openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
    -extfile broker.ext -out broker.pem
  openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
    -out broker.p12 -passout "pass:$STORE_PASSWORD"
) >"$DIR/logs/tls.out" 2>&1 || {
  cat "$DIR/logs/tls.out" >&2
  fail "could not generate the certificates with openssl"
}

# 3. Config.
CONFIG="$DIR/server.properties"
cat >"$CONFIG" <<PROPS
# Written by scripts/kafka-secure-start.sh; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$CONTROLLER_PORT
listeners=SASL_SSL://$KAFKA_HOST:$PORT,CONTROLLER://$KAFKA_HOST:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$KAFKA_HOST:$PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${PASSWORD[admin]}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${PASSWORD[admin]}" user_admin="${PASSWORD[admin]}";
ssl.keystore.type=PKCS12
ssl.keystore.location=$DIR/tls/broker.p12
ssl.keystore.password=$STORE_PASSWORD
ssl.key.password=$STORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
log.dirs=$DIR/data
PROPS
cat "$ROOT/scripts/kafka/single-node.properties" >>"$CONFIG"
chmod 600 "$CONFIG"

# 4. KRaft storage with the SCRAM users.
scram=()
for user in "${USERS[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=${PASSWORD[$user]}]"); done
CLUSTER_ID="$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
[[ -n "$CLUSTER_ID" ]] || fail "could not generate a cluster id (kafka.tools.StorageTool random-uuid)"
java -Xmx256m -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" \
  -Dkafka.logs.dir="$DIR/logs" -cp "$CP" kafka.tools.StorageTool format \
  -t "$CLUSTER_ID" -c "$CONFIG" "${scram[@]}" >"$DIR/logs/format.out" 2>&1 || {
  cat "$DIR/logs/format.out" >&2
  fail "formatting KRaft storage failed"
}

# 5. What clients need.
users_json=""
for user in "${USERS[@]}"; do users_json+="${users_json:+, }\"$user\": \"${PASSWORD[$user]}\""; done
cat >"$DIR/clients.json" <<JSON
{
  "bootstrap": "$KAFKA_HOST:$PORT",
  "controller": "$KAFKA_HOST:$CONTROLLER_PORT",
  "ca": "$DIR/tls/ca.pem",
  "otherCa": "$DIR/tls/other-ca.pem",
  "mechanism": "SCRAM-SHA-512",
  "users": { $users_json }
}
JSON
cat >"$DIR/admin.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${PASSWORD[admin]}";
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
PROPS
chmod 600 "$DIR/clients.json" "$DIR/admin.properties"

# 6. Start, detached; wait until the admin can read metadata over SASL_SSL.
echo "kafka-secure-start: starting a SASL_SSL broker on $KAFKA_HOST:$PORT (logs: $DIR/logs/)" >&2
# shellcheck disable=SC2086
nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" -Dkafka.logs.dir="$DIR/logs" \
  -cp "$CP" kafka.Kafka "$CONFIG" >"$STDOUT" 2>&1 </dev/null &
echo $! >"$PID_FILE"
started=$SECONDS
if ! WAIT_TLS_CA="$DIR/tls/ca.pem" WAIT_SASL_USERNAME=admin WAIT_SASL_PASSWORD="${PASSWORD[admin]}" \
  node "$ROOT/scripts/kafka/wait-ready.mjs" "$KAFKA_HOST:$PORT" "$KAFKA_READY_TIMEOUT" >&2; then
  echo "---- last lines of $STDOUT:" >&2
  tail -n 30 "$STDOUT" >&2 || true
  "$ROOT/scripts/kafka-secure-stop.sh" >/dev/null 2>&1 || true
  fail "the secured broker did not become ready within ${KAFKA_READY_TIMEOUT}s"
fi
running || fail "the Kafka JVM exited; see $STDOUT and $DIR/logs/server.log"
echo "kafka-secure-start: ready on $KAFKA_HOST:$PORT after $((SECONDS - started))s (pid $(cat "$PID_FILE"))" >&2
echo "$DIR/clients.json"
