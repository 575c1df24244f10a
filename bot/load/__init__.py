"""Load benchmark: simulated customers holding multi-turn conversations through the REST channel."""
