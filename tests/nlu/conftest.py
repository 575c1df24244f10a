from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEXICON_PATH = ROOT / "data" / "lexicon" / "telecom.yml"
