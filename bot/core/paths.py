"""Where the project is: the checkout holding config.yml, domain/, data/ and var/."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
