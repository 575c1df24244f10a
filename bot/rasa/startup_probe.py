"""`python -m bot.rasa.startup_probe MODEL [--stock]`: a fresh Rasa process loads MODEL as a Rasa
server does (our patches installed; `--stock`: with Rasa's own model loading) and prints, as one line
of JSON, each phase's seconds and the process's peak resident memory once it is done (/proc VmHWM).
Run by the start-up benchmark (bot/load/startup.py)."""

import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

PHASES = ("import tensorflow", "import rasa", "load model", "first parse", "first prediction")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(steps: Sequence[Callable[[], Any]], clock: Callable[[], float] = time.perf_counter) -> List[Dict[str, Any]]:
    """Runs `steps` (one per PHASES) in turn: each one's name, seconds and the peak memory after it."""
    phases = []
    for name, step in zip(PHASES, steps, strict=True):
        started = clock()
        step()
        phases.append({"name": name, "seconds": round(clock() - started, 2), "peak_mib": round(peak_mib(), 1)})
    return phases


def probe(model: Path, stock: bool) -> List[Dict[str, Any]]:
    """The phases of this process loading `model` (run it in a fresh one: see main)."""
    import asyncio

    loaded: Dict[str, Any] = {}

    def import_tensorflow() -> None:
        import tensorflow  # noqa: F401

    def import_rasa() -> None:
        from rasa.core.agent import Agent

        from bot.rasa import patches

        patches.install()
        if stock:  # Rasa's own load: a training step on one example, then the weights
            from rasa.utils.tensorflow.models import RasaModel

            RasaModel.load = RasaModel.__dict__["load"].__func__.__wrapped__
        loaded["Agent"] = Agent

    def load_model() -> None:
        loaded["agent"] = loaded["Agent"].load(str(model))

    def first_parse() -> None:
        loaded["parsed"] = asyncio.run(loaded["agent"].parse_message("我想查一下话费"))

    def first_prediction() -> None:
        from rasa.shared.core.events import ActionExecuted, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        agent, parsed = loaded["agent"], loaded["parsed"]
        tracker = DialogueStateTracker.from_events("startup", [ActionExecuted("action_listen")], agent.domain.slots)
        tracker.update(UserUttered(parsed["text"], parsed["intent"], parsed["entities"], parsed))
        agent.processor._predict_next_with_tracker(tracker)

    return timed([import_tensorflow, import_rasa, load_model, first_parse, first_prediction])


def main(argv: Sequence[str]) -> None:
    print(json.dumps(probe(Path(argv[0]), "--stock" in argv[1:])))


if __name__ == "__main__":
    main(sys.argv[1:])
