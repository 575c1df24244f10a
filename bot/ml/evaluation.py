"""NLU evaluation for trainers: our pipeline vs the stock Rasa Chinese pipeline on the held-out set.

`python -m bot evaluate` trains both pipelines on data/nlu, runs Rasa's own `rasa test nlu` on
data/heldout/nlu.yml (never trained on), and adds the canonical entity value scores that
`rasa test nlu` does not compute. Reports land in results/evaluation/<pipeline>/.
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


async def predict_entities(model: Path, texts: List[str]) -> List[Entities]:
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path=str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        results.append([(entity["entity"], str(entity["value"])) for entity in parsed.get("entities", [])])
    return results


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


def evaluate_model(model: Path, out_dir: Path, heldout: Path = HELDOUT) -> Dict[str, Any]:
    """Rasa's `rasa test nlu` (intent report, confusion matrix PNG) plus entity value scores."""
    report_dir = out_dir / "report"
    _rasa("test", "nlu", "--nlu", str(heldout), "-m", str(model), "--out", str(report_dir))
    intent_report = json.loads((report_dir / "intent_report.json").read_text())
    examples = load_examples(heldout)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message
    predicted = asyncio.run(predict_entities(model, [example.text for example in examples]))
    entities = score_entities([example.entities for example in examples], predicted)
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
        "per_intent_report": str(report_dir / "intent_report.json"),
        "confusion_matrix": str(report_dir / "intent_confusion_matrix.png"),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def format_table(summaries: Dict[str, Dict[str, Any]]) -> str:
    rows = [
        ("intent accuracy", "intent_accuracy"),
        ("intent macro-F1", "intent_macro_f1"),
        ("FAQ topic accuracy", "faq_topic_accuracy"),
        ("entity F1 (type+value)", "entity_f1"),
        ("entity value accuracy", "entity_value_accuracy"),
        ("training time (s)", "training_seconds"),
    ]
    names = list(summaries)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in rows:
        cells = []
        for name in names:
            value = summaries[name].get(key)
            cells.append("—" if value is None else (f"{value:.0f}" if key == "training_seconds" else f"{value:.3f}"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare(out_root: Path, pipelines: Optional[Dict[str, Path]] = None) -> Dict[str, Dict[str, Any]]:
    summaries = {}
    for name, config in PIPELINES.items():
        out_dir = out_root / name
        if pipelines is not None and name not in pipelines:
            if (out_dir / "summary.json").exists():  # keep the last scores of a pipeline not rerun
                summaries[name] = json.loads((out_dir / "summary.json").read_text())
            continue
        print(f"evaluate: training the {name} pipeline ({config}) ...", flush=True)
        started = time.monotonic()
        model = train_nlu(config, out_dir)
        seconds = time.monotonic() - started
        summaries[name] = {**evaluate_model(model, out_dir), "training_seconds": seconds}
        (out_dir / "summary.json").write_text(json.dumps(summaries[name], indent=2, ensure_ascii=False))
    table = format_table(summaries)
    (out_root / "comparison.md").write_text(table + "\n")
    print(table)
    for name, summary in summaries.items():
        print(
            f"{name}: per-intent report {summary['per_intent_report']}, confusion matrix {summary['confusion_matrix']}"
        )
    return summaries
