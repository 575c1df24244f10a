"""bot/load/report.py: the Markdown table, the comparison line and the PNG plot."""

from bot.load.report import comparison, markdown, plot


def level(customers, rate, p95, errors=0, kinds=None):
    return {
        "customers": customers,
        "messages": int(rate * 60),
        "messages_per_s": rate,
        "p50_ms": p95 / 3,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "errors": errors,
        "error_kinds": kinds or {},
    }


RESULTS = {
    "spec": {"duration_s": 60, "warmup_s": 10, "think_s": [2, 6], "turns": "balance 5 turns"},
    "machine": "2 cores",
    "targets": {
        "stock": {
            "levels": [level(50, 12.0, 420), level(100, 16.5, 4100), level(200, 17.0, 20000, 3, {"timeout": 3})],
            "memory_peak_mib": {"rasa-stock": [1682.0]},
            "ready_s": {"rasa-stock": 52.8},
        },
        "production": {
            "levels": [
                level(50, 12.3, 204),
                {
                    **level(200, 28.7, 7300),
                    "machine_busy": 0.93,
                    "cpu_cores": {"rasa-1": 0.66, "nginx": 0.001},
                    "generator_cpu": 0.05,
                },
            ],
            "memory_peak_mib": {"rasa-1": [1684.0], "action-server": [42.0, 38.0]},
            "ready_s": {"rasa-1": 50.4, "nginx": 0.1},
        },
    },
}


def test_comparison_takes_the_best_rate_without_errors():
    assert comparison(RESULTS) == (
        "Sustained messages/s (highest level with no error): production 28.7, stock 16.5 (×1.74). "
        "With no error and p95 within 1 s: production 12.3, stock 12.0 (×1.03). "
        "Highest messages/s at any level, errors allowed: production 28.7, stock 17.0 (×1.69). "
        "Production: p95 204 ms with 0 errors at 50 customers."
    )
    assert comparison({"targets": {"stock": RESULTS["targets"]["stock"]}}) == ""


def test_markdown_has_every_level_memory_and_ready_times():
    text = markdown({**RESULTS, "comparison": comparison(RESULTS)})
    assert "| stock | 200 | 17.0 | 6667 | 20000 | 30000 | 3 | – |" in text
    assert "| production | 50 | 12.3 | 68 | 204 | 306 | 0 | – |" in text
    assert "- stock at 200: {'timeout': 3}" in text
    assert "| production | action-server (2 processes) | 42 + 38 |" in text
    assert "| production | 200 | 28.7 | 2433 | 7300 | 10950 | 0 | 93 % |" in text
    assert "- production at 200 customers: rasa-1 0.66, load generator 0.05" in text
    assert "- production: rasa-1 50.4 s" in text and "nginx" not in text.split("Time to ready")[1].split("\n")[3]
    assert text.rstrip().endswith("(×1.69). Production: p95 204 ms with 0 errors at 50 customers.")


def test_plot_is_a_png(tmp_path):
    plot(RESULTS, tmp_path / "load.png")
    assert (tmp_path / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
