"""Gate, deploy and roll back models.

`models/registry.json` lists the deployed models, newest last, each with its comparison report.
`deploy` compares a candidate with the deployed model on the held-out set (bot/ml/trainers/compare.py),
refuses it when any figure falls more than `tolerance` below the deployed one, and otherwise
hot-swaps it into the running Rasa server through the authenticated `PUT /model` (the token in an
`Authorization: Bearer` header, bot/rasa/auth.py; Rasa replaces its
agent once the new model is loaded; conversations live in the tracker store and carry on). Only the
last `keep` deployed models are kept on disk. `rollback` swaps the previous one back in.

With several replicas (production profile) the swap goes replica by replica: each is taken out of the
load balancer's rotation while it loads the model (loading keeps a Rasa process busy for tens of
seconds), then put back, so the others carry the traffic. If one replica refuses the model, the ones
already swapped get the previous model back and nothing is recorded.
"""

import datetime as dt
import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from bot.ml.trainers.compare import compare_models, fingerprint

GATED = ("intent_accuracy", "intent_macro_f1", "faq_topic_accuracy", "entity_value_accuracy")
REGISTRY = "registry.json"


class DeployError(RuntimeError):
    """The model could not be swapped in; the message says why."""


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reasons: List[str]


def gate(figures: Dict[str, Dict[str, Optional[float]]], tolerance: float) -> Verdict:
    """Accept unless a gated figure of the candidate falls more than `tolerance` below the deployed."""
    reasons = []
    for name in GATED:
        old, new = figures.get(name, {}).get("deployed"), figures.get(name, {}).get("candidate")
        if old is None or new is None:
            continue
        if new < old - tolerance:
            reasons.append(f"{name} {new:.3f} < deployed {old:.3f} - tolerance {tolerance:.3f}")
    return Verdict(not reasons, reasons)


class Registry:
    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self.path = models_dir / REGISTRY

    def entries(self) -> List[Dict[str, Any]]:
        return json.loads(self.path.read_text(encoding="utf-8"))["deployed"] if self.path.exists() else []

    def current(self) -> Optional[Path]:
        entries = self.entries()
        return Path(entries[-1]["model"]) if entries else None

    def save(self, entries: List[Dict[str, Any]]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"deployed": entries}, ensure_ascii=False, indent=2), encoding="utf-8")

    def push(self, model: Path, report: Optional[Path], keep: int) -> List[Path]:
        """Record `model` as deployed; returns the model files dropped beyond the last `keep`."""
        entries = self.entries() + [
            {
                "model": str(model),
                "report": str(report) if report else None,
                "deployed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            }
        ]
        dropped = entries[:-keep] if len(entries) > keep else []
        self.save(entries[-keep:])
        kept = {entry["model"] for entry in entries[-keep:]}
        return [Path(entry["model"]) for entry in dropped if entry["model"] not in kept]

    def pop(self) -> Path:
        entries = self.entries()
        if len(entries) < 2:
            raise DeployError("there is no earlier deployed model to roll back to")
        self.save(entries[:-1])
        return Path(entries[-2]["model"])


def hot_swap(rasa_url: str, token: str, model: Path) -> None:
    """Load `model` into the running server (PUT /model, authenticated)."""
    request = urllib.request.Request(  # the token in a header: a URL is kept in access logs
        f"{rasa_url}/model",
        method="PUT",
        data=json.dumps({"model_file": str(model.resolve())}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            if response.status not in (200, 204):
                raise DeployError(f"Rasa answered {response.status} to PUT /model")
    except urllib.error.HTTPError as error:
        raise DeployError(f"Rasa refused the model: {error.code} {error.read()[:300]!r}") from None
    except OSError as error:
        raise DeployError(f"the Rasa server at {rasa_url} cannot be reached: {error}") from None


def swap_replicas(
    rasa_urls: Sequence[str], token: str, model: Path, previous: Optional[Path] = None, balancer: Optional[Any] = None
) -> None:
    """Load `model` into every replica in turn, each out of rotation meanwhile (`balancer`)."""
    done: List[str] = []
    for url in rasa_urls:
        address = url.split("://", 1)[-1].rstrip("/")
        if balancer is not None:
            balancer.take_out(address)
        try:
            hot_swap(url, token, model)
        except DeployError as error:
            for swapped in done:
                if previous is not None:
                    hot_swap(swapped, token, previous)
            raise DeployError(f"{error}; the replicas already swapped were given the previous model back") from None
        finally:
            if balancer is not None:
                balancer.put_back(address)
        done.append(url)


def _urls(rasa_url: Union[str, Sequence[str]]) -> List[str]:
    return [rasa_url] if isinstance(rasa_url, str) else list(rasa_url)


def archive(models_dir: Path, model: Path) -> Path:
    """Deployed models live under models/deployed/ so that training never overwrites them."""
    target = models_dir / "deployed" / f"{model.stem.replace('.tar', '')}-{fingerprint(model)}.tar.gz"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model, target)
    return target


def deploy(
    candidate: Path,
    models_dir: Path,
    rasa_url: Union[str, Sequence[str]],
    token: str,
    *,
    tolerance: float = 0.01,
    keep: int = 5,
    balancer: Optional[Any] = None,
) -> Verdict:
    """Gate `candidate` against the deployed model and, if it passes, hot-swap it in."""
    registry = Registry(models_dir)
    current = registry.current()
    report: Optional[Path] = None
    if current is None:
        verdict = Verdict(True, ["first deployment: nothing to compare with"])
    else:
        out = models_dir / "reports" / f"{fingerprint(candidate)}-vs-{fingerprint(current)}"
        result = compare_models(current, candidate, out, cache=models_dir / "reports")
        verdict = gate(result["figures"], tolerance)
        report = out / "report.md"
        if not verdict.accepted:
            return verdict
    target = archive(models_dir, candidate)
    swap_replicas(_urls(rasa_url), token, target, current, balancer)
    for dropped in registry.push(target, report, keep):
        dropped.unlink(missing_ok=True)
    return verdict


def rollback(models_dir: Path, rasa_url: Union[str, Sequence[str]], token: str, balancer: Optional[Any] = None) -> Path:
    """Swap the previously deployed model back in; the registry changes only once Rasa has it."""
    registry = Registry(models_dir)
    entries = registry.entries()
    if len(entries) < 2:
        raise DeployError("there is no earlier deployed model to roll back to")
    previous = Path(entries[-2]["model"])
    swap_replicas(_urls(rasa_url), token, previous, Path(entries[-1]["model"]), balancer)
    registry.pop()
    return previous
