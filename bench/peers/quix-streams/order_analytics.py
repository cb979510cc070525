"""order-analytics (apps/order-analytics/src/topology) in Quix Streams: validate orders and users
(rejects to orders-dlq), drop duplicate orders, re-key by user_id and left-join the users (join_asof),
count and sum per (region, segment) in 1-minute tumbling windows with 30 s grace, write every update
and the final result to orders-processed, and final results (WindowClosed) and anomalies to
orders-outbox.

Where Quix differs, and how the port expresses it:
- One window aggregation cannot emit both its updates (.current()) and its final results
  (.final()): two tumbling windows over the same records, one for each (twice the window state).
- Users are a stream joined as-of (the latest user at or before the order's time), as Quix has no
  table; the other systems look up the table's current value.
- Timestamp extractors see no partition time: a record without a usable payload.timestamp keeps
  its broker timestamp (it is dead-lettered, so it never reaches a window).
- The dedupe state has no retention (Quix state has no TTL): ids are kept for the whole run.
"""

import hashlib
import json
import math
import os
import re
from datetime import datetime, timezone

from quixstreams import message_context
from quixstreams.models.serializers import Deserializer

WINDOW_MS = 60_000
GRACE_MS = int(os.environ.get("BENCH_GRACE_MS") or 30_000)
DAY_MS = 86_400_000
MAX_SKEW_MS = 365 * DAY_MS
MAX_AMOUNT = 1e9
MAX_QUANTITY = 1e6
TOTAL_TOLERANCE = 0.01 + 1e-9
UNKNOWN = "unknown"
SUSPECT = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\udfff]")


def js_round(x):
    """JavaScript's Math.round (half up), which the app rounds with."""
    return math.floor(x + 0.5)


class RawValue(Deserializer):
    """Parses a value as JSON once, never failing: {"text", "parsed", "json"}."""

    def __call__(self, value, ctx):
        text = None if value is None else value.decode("utf-8", errors="replace")
        try:
            return {"text": text, "parsed": text is not None, "json": None if text is None else json.loads(text)}
        except ValueError:
            return {"text": text, "parsed": False, "json": None}


def kind_of(x):
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "boolean"
    if isinstance(x, (int, float)):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(x), "undefined")


def text_problem(text):
    match = SUSPECT.search(text)
    if match is None:
        return None
    code = ord(match.group())
    what = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
    return f"{what} U+{code:04X} at index {match.start()}"


def check(obj, path, field, kind):
    if field not in obj:
        return f"missing-field: {path}{field}"
    value = obj[field]
    actual = kind_of(value)
    if actual != kind:
        return f"wrong-type: {path}{field} is {actual}, expected {kind}"
    if kind == "number" and not math.isfinite(value):
        return f"wrong-type: {path}{field} is not a finite number"
    if kind == "string" and (problem := text_problem(value)) is not None:
        return f"invalid-string: {path}{field} has a {problem}"
    return None


ENVELOPE = [("event_id", "string"), ("timestamp", "number"), ("source", "string"), ("type", "string"), ("payload", "object")]
PAYLOAD = [("order_id", "string"), ("user_id", "string"), ("items", "array"), ("total", "number"), ("timestamp", "number")]
ITEM = [("sku", "string"), ("quantity", "number"), ("price", "number")]


def order_problem(raw):
    if not raw["parsed"]:
        return "invalid-json: " + ("null value" if raw["text"] is None else "value is not valid JSON")
    env = raw["json"]
    if not isinstance(env, dict):
        return f"wrong-type: value is {kind_of(env)}, expected object"
    for field, kind in ENVELOPE:
        if failure := check(env, "", field, kind):
            return failure
    payload = env["payload"]
    for field, kind in PAYLOAD:
        if failure := check(payload, "payload.", field, kind):
            return failure
    if env["type"] != "OrderPlaced":
        return f'wrong-event-type: type is {json.dumps(env["type"])}, expected "OrderPlaced"'
    if payload["timestamp"] < 0:
        return f"invalid-timestamp: payload.timestamp {payload['timestamp']} is negative"
    items = payload["items"]
    if not items:
        return "no-items: payload.items is empty"
    total_of_items = 0.0
    for i, item in enumerate(items):
        path = f"payload.items[{i}]."
        if not isinstance(item, dict):
            return f"wrong-type: payload.items[{i}] is {kind_of(item)}, expected object"
        for field, kind in ITEM:
            if kind == "number" and kind_of(item.get(field)) == "number":
                continue
            if failure := check(item, path, field, kind):
                return failure
        quantity, price = item["quantity"], item["price"]
        if not math.isfinite(quantity) or quantity != math.floor(quantity) or not 1 <= quantity <= MAX_QUANTITY:
            return f"invalid-quantity: {path}quantity {quantity} is not an integer from 1 to 1000000"
        if not math.isfinite(price) or not 0 <= price <= MAX_AMOUNT:
            return f"invalid-price: {path}price {price} is not a number from 0 to 1000000000"
        total_of_items += quantity * price
    total = payload["total"]
    if not 0 <= total <= MAX_AMOUNT:
        return f"invalid-total: payload.total {total} is not a number from 0 to 1000000000"
    if abs(total - total_of_items) > TOTAL_TOLERANCE:
        return f"total-mismatch: payload.total {total} differs from sum(quantity * price) {total_of_items:.2f} by more than 0.01"
    return None


def validate_order(raw):
    if (reason := order_problem(raw)) is not None:
        return {"ok": False, "reason": reason, "raw": raw}
    p = raw["json"]["payload"]
    order = {"order_id": p["order_id"], "user_id": p["user_id"], "total": p["total"], "timestamp": math.floor(p["timestamp"])}
    return {"ok": True, "value": order}


def label(x):
    return x if isinstance(x, str) and x else UNKNOWN


def validate_user(raw):
    if not raw["parsed"]:
        reason = "invalid-json: " + ("null value" if raw["text"] is None else "value is not valid JSON")
        return {"ok": False, "reason": reason, "raw": masked(raw)}
    payload = raw["json"].get("payload") if isinstance(raw["json"], dict) else None
    user_id = payload.get("user_id") if isinstance(payload, dict) else None
    if user_id is None:
        return {"ok": False, "reason": "missing-field: payload.user_id", "raw": masked(raw)}
    if not isinstance(user_id, str):
        return {"ok": False, "reason": f"wrong-type: payload.user_id is {kind_of(user_id)}, expected string", "raw": masked(raw)}
    for field in ("user_id", "region", "segment"):
        value = payload.get(field)
        if isinstance(value, str) and (problem := text_problem(value)) is not None:
            return {"ok": False, "reason": f"invalid-string: payload.{field} has a {problem}", "raw": masked(raw)}
    return {"ok": True, "value": {"user_id": user_id, "region": label(payload.get("region")), "segment": label(payload.get("segment"))}}


def masked(raw):
    """A rejected user's raw value with its personal fields redacted; an unreadable one withheld."""
    if not raw["parsed"]:
        return {"text": None, "parsed": False, "json": None}
    doc = raw["json"]
    if isinstance(doc, dict) and isinstance(doc.get("payload"), dict):
        doc = {**doc, "payload": {k: ("[redacted]" if k in ("name", "email") else v) for k, v in doc["payload"].items()}}
    return {"text": json.dumps(doc, separators=(",", ":")), "parsed": True, "json": doc}


def usable_time(ts):
    return isinstance(ts, (int, float)) and not isinstance(ts, bool) and math.isfinite(ts) and ts >= 0


def ahead_of_clock(time):
    return time > datetime.now(timezone.utc).timestamp() * 1000 + MAX_SKEW_MS


def order_time(value, headers, timestamp, timestamp_type):
    payload = value["json"].get("payload") if isinstance(value["json"], dict) else None
    ts = payload.get("timestamp") if isinstance(payload, dict) else None
    if usable_time(ts) and not ahead_of_clock(math.floor(ts)):
        return math.floor(ts)
    return timestamp


def user_time(value, headers, timestamp, timestamp_type):
    env = value["json"] if isinstance(value["json"], dict) else {}
    ts = env.get("timestamp")
    if kind_of(ts) != "number":
        ts = env["payload"].get("created_at") if isinstance(env.get("payload"), dict) else None
    if usable_time(ts) and not ahead_of_clock(math.floor(ts)):
        return math.floor(ts)
    return timestamp


def dead_letter(checked, key, timestamp, headers):
    ctx = message_context()
    return {"reason": checked["reason"], "topic": ctx.topic, "partition": ctx.partition, "offset": ctx.offset, "key": key, "value": checked["raw"]["text"]}


def first_time(order, state):
    """Passes an order the first time its order_id (the message key here) is seen."""
    if state.get("seen", False):
        return False
    state.set("seen", True)
    return True


def group_key(region, segment):
    return json.dumps([region, segment], separators=(",", ":"))


def add_order(agg, order):
    return {"region": order["region"], "segment": order["segment"], "order_count": agg["order_count"] + 1, "revenue_micros": agg["revenue_micros"] + js_round(order["total"] * 1e6)}


def empty_aggregate(order):
    return add_order({"order_count": 0, "revenue_micros": 0}, order)


def to_row(window, final):
    agg = window["value"]
    return {"window_start": window["start"], "window_end": window["end"], "region": agg["region"], "segment": agg["segment"], "order_count": agg["order_count"], "revenue": js_round(agg["revenue_micros"] / 1e4) / 100, "final": final}


def row_key(row):
    start = datetime.fromtimestamp(row["window_start"] / 1000, tz=timezone.utc)
    return f"{start.strftime('%Y-%m-%dT%H:%M:%S')}.{row['window_start'] % 1000:03d}Z|{row['region']}|{row['segment']}"


def deterministic_id(name):
    h = bytearray(hashlib.sha1(name.encode()).digest())
    h[6] = (h[6] & 0x0F) | 0x50
    h[8] = (h[8] & 0x3F) | 0x80
    x = h[:16].hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def outbox_event(type_, key, timestamp, payload):
    return {"event_id": deterministic_id(f"{type_}|{key}"), "timestamp": timestamp, "source": "order-analytics", "type": type_, "payload": payload}


def anomaly(row, state):
    """Final windows above 3x the mean of the same group's last 10 (at least 3) give an AnomalyDetected."""
    past = state.get("history", [])
    cents = js_round(row["revenue"] * 100)
    event = None
    if len(past) >= 3:
        average = sum(past) / len(past)
        if average > 0 and cents > 3 * average:
            key = row_key(row)
            payload = {"window_start": row["window_start"], "region": row["region"], "segment": row["segment"], "revenue": row["revenue"], "trailing_average": js_round(average) / 100, "ratio": js_round(cents / average * 1000) / 1000}
            event = outbox_event("AnomalyDetected", key, row["window_end"], payload)
    state.set("history", (past + [cents])[-10:])
    return event


def build(app, env):
    """Operation names are short: Quix names internal topics after the whole chain of them (255 at most)."""
    output = env["BENCH_OUTPUT"]
    processed = app.topic(output, key_serializer="str", value_serializer="json")
    outbox = app.topic(f"{output}-outbox", key_serializer="str", value_serializer="json")
    dlq = app.topic(f"{output}-dlq", key_serializer="str", value_serializer="json")

    users = app.dataframe(app.topic(env["BENCH_TABLE"], key_deserializer="str", value_deserializer=RawValue(), timestamp_extractor=user_time))
    users = users.apply(validate_user)
    users.filter(lambda c: not c["ok"]).apply(dead_letter, metadata=True).to_topic(dlq)
    users = users.filter(lambda c: c["ok"]).apply(lambda c: c["value"])
    users = users.group_by(lambda u: u["user_id"], name="uid")

    orders = app.dataframe(app.topic(env["BENCH_INPUT"], key_deserializer="str", value_deserializer=RawValue(), timestamp_extractor=order_time))
    orders = orders.apply(validate_order)
    orders.filter(lambda c: not c["ok"]).apply(dead_letter, metadata=True).to_topic(dlq)
    orders = orders.filter(lambda c: c["ok"]).apply(lambda c: c["value"])
    orders = orders.filter(first_time, stateful=True)
    orders = orders.group_by(lambda o: o["user_id"], name="oid")
    enriched = orders.join_asof(
        users,
        how="left",
        on_merge=lambda o, u: {"order_id": o["order_id"], "region": u["region"] if u else UNKNOWN, "segment": u["segment"] if u else UNKNOWN, "total": o["total"]},
    )
    grouped = enriched.group_by(lambda e: group_key(e["region"], e["segment"]), name="grp")

    def windows(name):
        return grouped.tumbling_window(WINDOW_MS, grace_ms=GRACE_MS, name=name).reduce(add_order, empty_aggregate)

    updates = windows("upd").current(closing_strategy="partition").apply(lambda w: to_row(w, False))
    updates.to_topic(processed, key=row_key)
    finals = windows("fin").final(closing_strategy="partition").apply(lambda w: to_row(w, True))
    finals.to_topic(processed, key=row_key)
    closed = finals.apply(lambda row: outbox_event("WindowClosed", row_key(row), row["window_end"], row))
    closed.to_topic(outbox, key=lambda e: row_key(e["payload"]))
    anomalies = finals.apply(anomaly, stateful=True).filter(lambda a: a is not None)
    anomalies.to_topic(outbox, key=lambda e: row_key(e["payload"]))
