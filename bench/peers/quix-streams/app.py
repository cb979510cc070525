"""The Quix Streams peer of the benchmark harness: runs one benchmark topology (the same as
bench/systems/tributary-topologies.ts) until SIGTERM, when Application.run() stops cleanly.
Settings come from the harness's BENCH_* environment variables; the rest are Quix's defaults
(RocksDB state with changelog topics), with its exactly-once setting for exactly-once."""

import os
from datetime import timedelta

from quixstreams import Application
from quixstreams.models.serializers import SerializationContext, Serializer

import order_analytics

env = os.environ


class WindowCount(Serializer):
    """Writes a final window's count as a decimal string, as the other systems do."""

    def __call__(self, value, ctx: SerializationContext) -> bytes:
        return str(value["count"]).encode()


def count(event, state):
    n = state.get("count", 0) + 1
    state.set("count", n)
    return str(n)


def main():
    app = Application(
        broker_address=env["BENCH_BROKERS"],
        consumer_group=env["BENCH_APP_ID"],
        state_dir=env["BENCH_STATE_DIR"],
        commit_interval=int(env["BENCH_COMMIT_INTERVAL_MS"]) / 1000,
        processing_guarantee="exactly-once" if env["BENCH_GUARANTEE"] == "exactly-once" else "at-least-once",
        auto_offset_reset="earliest",
        loglevel="WARNING",
    )
    topology = env["BENCH_TOPOLOGY"]
    if topology == "order-analytics":
        order_analytics.build(app, env)
        app.run()
        return
    events = app.dataframe(app.topic(env["BENCH_INPUT"], key_deserializer="str", value_deserializer="json"))
    json_out = app.topic(env["BENCH_OUTPUT"], key_serializer="str", value_serializer="json")

    if topology == "stateless":
        events = events.filter(lambda e: e["amount"] >= 100)
        events = events.apply(lambda e: {"id": e["id"], "cents": e["amount"] * 100, "region": e["region"].upper()})
        events.to_topic(json_out)
    elif topology == "count":
        events = events.apply(count, stateful=True)
        events.to_topic(app.topic(env["BENCH_OUTPUT"], key_serializer="str", value_serializer="str"))
    elif topology == "windowed":
        windows = events.tumbling_window(timedelta(minutes=1), grace_ms=0).count().final(closing_strategy="partition")
        windows = windows.apply(
            lambda w, key, timestamp, headers: {"key": f"{key}@{w['start']}", "count": w["value"]}, metadata=True
        )
        windows.to_topic(
            app.topic(env["BENCH_OUTPUT"], key_serializer="str", value_serializer=WindowCount()),
            key=lambda r: r["key"],
        )
    elif topology == "join":
        table = app.dataframe(app.topic(env["BENCH_TABLE"], key_deserializer="str", value_deserializer="json"))
        joined = events.join_asof(
            table,
            how="inner",
            on_merge=lambda e, row: {"id": e["id"], "amount": e["amount"], "tier": row["tier"]},
        )
        joined.to_topic(json_out)
    else:
        raise SystemExit(f"no Quix Streams topology {topology}")
    app.run()


if __name__ == "__main__":
    main()
