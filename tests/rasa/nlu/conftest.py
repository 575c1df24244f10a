from tests.support import ROOT

LEXICON_PATH = ROOT / "data" / "lexicon" / "telecom.yml"
