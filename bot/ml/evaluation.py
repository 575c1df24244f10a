"""NLU evaluation for trainers: our pipeline vs the stock Rasa Chinese pipeline on two test sets.

`python -m bot evaluate` trains both pipelines on data/nlu, runs Rasa's own `rasa test nlu` on each
test set (never trained on) and adds the canonical entity value scores that `rasa test nlu` does not
compute. The test sets: data/heldout/nlu.yml, written by the team, and data/real/nlu.yml, real
customers' words from public telecom service conversations (data/real/SOURCES.md). Reports land in
results/evaluation/<pipeline>/<test set>/; the model in results/evaluation/<pipeline>/nlu.tar.gz.
"""

import asyncio
import json
import logging
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.core.paths import PROJECT_ROOT as ROOT
from bot.ml.training import rasa_env

HELDOUT = ROOT / "data" / "heldout" / "nlu.yml"
REAL = ROOT / "data" / "real" / "nlu.yml"
TEST_SETS = {"held-out": HELDOUT, "real": REAL}
PIPELINES = {"ours": ROOT / "config.yml", "stock": Path(__file__).resolve().parent / "stock_config.yml"}

Entities = List[Tuple[str, str]]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: Entities


@dataclass(frozen=True)
class EntityScores:
    precision: float
    recall: float
    f1: float
    value_accuracy: float
    gold: int


def load_examples(path: Path) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        Example(
            text=message.get("text"),
            intent=message.get("intent"),
            entities=[(entity["entity"], str(entity["value"])) for entity in message.get("entities") or []],
        )
        for message in data.intent_examples
    ]


def score_entities(gold: Iterable[Entities], predicted: Iterable[Entities]) -> EntityScores:
    """Precision/recall/F1 over (type, canonical value) pairs per message; value accuracy is the
    share of gold entities whose exact canonical value was predicted with the right type."""
    true_positive = false_positive = false_negative = 0
    for gold_entities, predicted_entities in zip(gold, predicted, strict=True):
        gold_count, predicted_count = Counter(gold_entities), Counter(predicted_entities)
        matched = sum((gold_count & predicted_count).values())
        true_positive += matched
        false_positive += sum(predicted_count.values()) - matched
        false_negative += sum(gold_count.values()) - matched
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return EntityScores(precision, recall, f1, recall, true_positive + false_negative)


@dataclass(frozen=True)
class Prediction:
    entities: Entities
    intent: str  # the classifier's best intent, before the fallback threshold is applied
    confidence: float


async def predict(model: Path, texts: List[str]) -> List[Prediction]:
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path=str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [i for i in parsed.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]
        results.append(
            Prediction(
                entities=[(entity["entity"], str(entity["value"])) for entity in parsed.get("entities", [])],
                intent=str(ranking[0]["name"]) if ranking else "",
                confidence=float(ranking[0]["confidence"]) if ranking else 0.0,
            )
        )
    return results


THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def threshold_table(gold: List[str], predictions: List[Prediction]) -> Dict[str, Dict[str, float]]:
    """For each fallback threshold: the share of messages that would fall below it (asked to rephrase),
    the accuracy on the rest, and the share understood right at once. FAQ topics count as `faq`."""
    table = {}
    for threshold in THRESHOLDS:
        kept = [(g, p) for g, p in zip(gold, predictions, strict=True) if p.confidence >= threshold]
        right = sum(g.split("/")[0] == p.intent.split("/")[0] for g, p in kept)
        table[f"{threshold:.1f}"] = {
            "below": round(1 - len(kept) / len(gold), 3) if gold else 0.0,
            "accuracy_above": round(right / len(kept), 3) if kept else 0.0,
            "right_at_once": round(right / len(gold), 3) if gold else 0.0,
        }
    return table


def _rasa(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "rasa", *args, "--quiet"], cwd=ROOT, env=rasa_env(), check=True)


def train_nlu(config: Path, out_dir: Path) -> Path:
    _rasa(
        "train",
        "nlu",
        "-c",
        str(config),
        "--nlu",
        str(ROOT / "data" / "nlu"),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        "nlu",
    )
    return out_dir / "nlu.tar.gz"


def fallback_threshold(config: Path) -> float:
    """The FallbackClassifier threshold of a pipeline config; a pipeline without one falls back on
    nothing, i.e. 0."""
    import yaml

    pipeline = yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline") or []
    return next((float(c.get("threshold", 0.3)) for c in pipeline if c.get("name") == "FallbackClassifier"), 0.0)


def evaluate_model(
    model: Path, out_dir: Path, heldout: Path = HELDOUT, threshold: Optional[float] = None
) -> Dict[str, Any]:
    """Rasa's `rasa test nlu` (intent report, confusion matrix PNG) plus entity value scores."""
    report_dir = out_dir / "report"
    _rasa("test", "nlu", "--nlu", str(heldout), "-m", str(model), "--out", str(report_dir))
    intent_report = json.loads((report_dir / "intent_report.json").read_text())
    examples = load_examples(heldout)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message
    predicted = asyncio.run(predict(model, [example.text for example in examples]))
    threshold = fallback_threshold(PIPELINES["ours"]) if threshold is None else threshold
    entities = score_entities([example.entities for example in examples], [p.entities for p in predicted])
    selection_path = report_dir / "response_selection_report.json"
    selection = json.loads(selection_path.read_text()) if selection_path.exists() else {}
    summary = {
        "model": str(model),
        "messages": len(examples),
        "intent_accuracy": intent_report["accuracy"],
        "intent_macro_f1": intent_report["macro avg"]["f1-score"],
        "faq_topic_accuracy": selection.get("accuracy"),
        "entity_precision": entities.precision,
        "entity_recall": entities.recall,
        "entity_f1": entities.f1,
        "entity_value_accuracy": entities.value_accuracy,
        "gold_entities": entities.gold,
        "below_threshold": sum(p.confidence < threshold for p in predicted) / len(predicted) if predicted else 0.0,
        "thresholds": threshold_table([example.intent for example in examples], predicted),
        "per_intent_report": str(report_dir / "intent_report.json"),
        "confusion_matrix": str(report_dir / "intent_confusion_matrix.png"),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


_WHOLE = ("messages", "training_seconds")


def format_table(summaries: Dict[str, Dict[str, Any]]) -> str:
    rows = [
        ("messages", "messages"),
        ("intent accuracy", "intent_accuracy"),
        ("intent macro-F1", "intent_macro_f1"),
        ("FAQ topic accuracy", "faq_topic_accuracy"),
        ("entity F1 (type+value)", "entity_f1"),
        ("entity value accuracy", "entity_value_accuracy"),
        ("below the fallback threshold", "below_threshold"),
        ("training time (s)", "training_seconds"),
    ]
    names = list(summaries)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in rows:
        cells = []
        for name in names:
            value = summaries[name].get(key)
            cells.append("—" if value is None else (f"{value:.0f}" if key in _WHOLE else f"{value:.3f}"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def variant_config(out_root: Path, variant: str) -> Path:
    """config.yml with the variant's one change, written where the variant's reports go."""
    import yaml

    from bot.ml.variants import derive

    config = yaml.safe_load(PIPELINES["ours"].read_text(encoding="utf-8"))
    path = out_root / variant / "config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(derive(config, variant), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def compare(
    out_root: Path,
    pipelines: Optional[Dict[str, Path]] = None,
    test_sets: Optional[Dict[str, Path]] = None,
    variants: Iterable[str] = (),
) -> Dict[str, Dict[str, Any]]:
    """Train each pipeline once (ours, stock, and any variants of ours), score it on every test set;
    the table has one column per (pipeline, test set), keyed "<pipeline> · <test set>". A pipeline
    not rerun keeps its last scores."""
    test_sets = TEST_SETS if test_sets is None else test_sets
    configs = {**PIPELINES, **{variant: variant_config(out_root, variant) for variant in variants}}
    summaries = {}
    for name, config in configs.items():
        out_dir = out_root / name
        if name in PIPELINES and pipelines is not None and name not in pipelines:
            for set_name in test_sets:
                kept = out_dir / set_name / "summary.json"
                if kept.exists():
                    summaries[f"{name} · {set_name}"] = json.loads(kept.read_text())
            continue
        print(f"evaluate: training the {name} pipeline ({config}) ...", flush=True)
        started = time.monotonic()
        model = train_nlu(config, out_dir)
        seconds = time.monotonic() - started
        for set_name, path in test_sets.items():
            summary = {
                **evaluate_model(model, out_dir / set_name, path, fallback_threshold(config)),
                "training_seconds": seconds,
            }
            (out_dir / set_name / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
            summaries[f"{name} · {set_name}"] = summary
    ordered = {key: summaries[key] for set_name in test_sets for key in summaries if key.endswith(f" · {set_name}")}
    table = format_table(ordered)
    thresholds = format_thresholds(ordered)
    (out_root / "comparison.md").write_text(table + "\n\n" + thresholds + "\n")
    print(table, thresholds, sep="\n\n")
    for key, summary in ordered.items():
        print(f"{key}: per-intent report {summary['per_intent_report']}, confusion {summary['confusion_matrix']}")
    return ordered


def format_thresholds(summaries: Dict[str, Dict[str, Any]]) -> str:
    """Per fallback threshold: share below it / accuracy on the rest / share right at once."""
    names = [name for name, summary in summaries.items() if summary.get("thresholds")]
    lines = [
        "fallback threshold: below / accuracy above / right at once",
        "",
        "| threshold | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for threshold in THRESHOLDS:
        cells = []
        for name in names:
            row = summaries[name]["thresholds"].get(f"{threshold:.1f}")
            cells.append(
                "—" if row is None else f"{row['below']:.2f} / {row['accuracy_above']:.2f} / {row['right_at_once']:.2f}"
            )
        lines.append(f"| {threshold:.1f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
