"""Draws the benchmark chart: median records/s per scenario and system, min-max as error bars,
one panel per guarantee. Usage: python chart.py results.json chart.png (bench/.venv has matplotlib)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def label(row):
    return row["system"] if not row["variant"] else f'{row["system"]} ({row["variant"]})'


def main(source, target):
    # Only rows whose output verified: a figure of other work is not a comparison.
    rows = [r for r in json.load(open(source))["results"] if r["throughput_rps"] is not None and r["verified"]]
    rows = [r for r in rows if r["scenario"] != "ceiling"]
    guarantees = ["at-least-once", "exactly-once"]
    scenarios = sorted({r["scenario"] for r in rows}, key=lambda s: min(i for i, r in enumerate(rows) if r["scenario"] == s))
    systems = sorted({label(r) for r in rows}, key=lambda s: (not s.startswith("tributary"), s))
    fig, axes = plt.subplots(len(guarantees), 1, figsize=(max(8, 2.2 * len(scenarios)), 9), sharex=True)
    width = 0.8 / max(len(systems), 1)
    for ax, guarantee in zip(axes, guarantees):
        for i, system in enumerate(systems):
            xs, ys, lo, hi = [], [], [], []
            for j, scenario in enumerate(scenarios):
                for r in rows:
                    if r["scenario"] == scenario and label(r) == system and r["guarantee"] == guarantee:
                        xs.append(j + (i - (len(systems) - 1) / 2) * width)
                        ys.append(r["throughput_rps"])
                        lo.append(r["throughput_rps"] - r["throughput_min"])
                        hi.append(r["throughput_max"] - r["throughput_rps"])
            if xs:
                bars = ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=system)
                for bar, r in zip(bars, ys):
                    ax.annotate(f"{r / 1000:.1f}k", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                                ha="center", va="bottom", fontsize=6)
        ax.set_title(guarantee)
        ax.set_ylabel("records/s (median, min-max)")
        ax.grid(axis="y", alpha=0.3)
    axes[-1].set_xticks(range(len(scenarios)), scenarios)
    axes[0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Throughput on one Kafka broker, same input, outputs checked equal (rows that did not verify left out)")
    fig.tight_layout()
    fig.savefig(target, dpi=120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
