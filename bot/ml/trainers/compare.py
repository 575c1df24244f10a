"""Comparing a candidate model with the deployed one on the held-out set, as a Markdown report.

`compare_models` runs `bot.ml.evaluation.evaluate_model` on both (Rasa's intent report, confusion matrix
PNG, entity scores); `comparison` and `markdown` are pure: the overall figures, a per-intent F1 table
and the regression list (held-out messages the deployed model got right and the candidate gets wrong).
"""

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Optional

from bot.ml.evaluation import HELDOUT, evaluate_model

FIGURES = ("intent_accuracy", "intent_macro_f1", "faq_topic_accuracy", "entity_f1", "entity_value_accuracy")
NOT_INTENTS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def _load(run_dir: Path) -> Dict[str, Any]:
    report_dir = run_dir / "report"
    return {
        "summary": json.loads((run_dir / "summary.json").read_text(encoding="utf-8")),
        "intents": json.loads((report_dir / "intent_report.json").read_text(encoding="utf-8")),
        "errors": json.loads((report_dir / "intent_errors.json").read_text(encoding="utf-8"))
        if (report_dir / "intent_errors.json").exists()
        else [],
    }


def comparison(deployed_dir: Path, candidate_dir: Path) -> Dict[str, Any]:
    old, new = _load(deployed_dir), _load(candidate_dir)
    figures = {name: {"deployed": old["summary"].get(name), "candidate": new["summary"].get(name)} for name in FIGURES}
    intents = sorted((set(old["intents"]) | set(new["intents"])) - NOT_INTENTS)
    per_intent = [
        {
            "intent": intent,
            "deployed": (old["intents"].get(intent) or {}).get("f1-score"),
            "candidate": (new["intents"].get(intent) or {}).get("f1-score"),
            "support": (new["intents"].get(intent) or old["intents"].get(intent) or {}).get("support"),
        }
        for intent in intents
    ]
    old_wrong = {error["text"]: error for error in old["errors"]}
    new_wrong = {error["text"]: error for error in new["errors"]}
    regressions = [
        {
            "text": text,
            "intent": error["intent"],
            "candidate": error["intent_prediction"]["name"],
            "confidence": round(error["intent_prediction"].get("confidence") or 0.0, 3),
        }
        for text, error in sorted(new_wrong.items())
        if text not in old_wrong
    ]
    fixed = sorted(text for text in old_wrong if text not in new_wrong)
    return {
        "figures": figures,
        "per_intent": per_intent,
        "regressions": regressions,
        "fixed": fixed,
        "deployed_model": old["summary"].get("model"),
        "candidate_model": new["summary"].get("model"),
    }


def _number(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.3f}"


def _delta(old: Optional[float], new: Optional[float]) -> str:
    return "" if old is None or new is None else f"{new - old:+.3f}"


def markdown(result: Dict[str, Any]) -> str:
    lines = [
        "# Candidate vs deployed model (held-out set)",
        "",
        f"- deployed: `{result['deployed_model']}`",
        f"- candidate: `{result['candidate_model']}`",
        "",
        "| figure | deployed | candidate | change |",
        "|---|---|---|---|",
    ]
    for name, pair in result["figures"].items():
        lines.append(
            f"| {name} | {_number(pair['deployed'])} | {_number(pair['candidate'])} | "
            f"{_delta(pair['deployed'], pair['candidate'])} |"
        )
    lines += [
        "",
        "## F1 per intent",
        "",
        "| intent | support | deployed | candidate | change |",
        "|---|---|---|---|---|",
    ]
    for row in result["per_intent"]:
        lines.append(
            f"| {row['intent']} | {row['support']} | {_number(row['deployed'])} | {_number(row['candidate'])} | "
            f"{_delta(row['deployed'], row['candidate'])} |"
        )
    lines += [
        "",
        "Confusion matrices: `report/intent_confusion_matrix.png` in each model's evaluation directory "
        "(`eval-<model>-<held-out set>`).",
        "",
        f"## Regressions: {len(result['regressions'])} (right before, wrong now)",
        "",
    ]
    lines += [
        f"- {r['text']} — expected `{r['intent']}`, now `{r['candidate']}` ({r['confidence']:.2f})"
        for r in result["regressions"]
    ] or ["None."]
    lines += ["", f"## Fixed: {len(result['fixed'])} (wrong before, right now)", ""]
    lines += [f"- {text}" for text in result["fixed"]] or ["None."]
    return "\n".join(lines) + "\n"


def fingerprint(path: Path) -> str:
    """A short content hash: the same model under another name is the same model."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def evaluation_dir(model: Path, heldout: Path, cache: Path) -> Path:
    """The model's evaluation on `heldout`, run once per (model, held-out set) content."""
    run_dir = cache / f"eval-{fingerprint(model)}-{fingerprint(heldout)}"
    if not (run_dir / "summary.json").exists():
        evaluate_model(model, run_dir, heldout)
    return run_dir


def compare_models(
    deployed: Path, candidate: Path, out: Path, heldout: Path = HELDOUT, cache: Optional[Path] = None
) -> Dict[str, Any]:
    """Evaluate both models and write out/report.md and out/comparison.json; returns the comparison."""
    cache = cache or out
    out.mkdir(parents=True, exist_ok=True)
    result = comparison(evaluation_dir(deployed, heldout, cache), evaluation_dir(candidate, heldout, cache))
    (out / "comparison.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(markdown(result), encoding="utf-8")
    return result
