"""The import rules of docs/architecture.md, checked by walking every import of bot/ and actions/.

Imports inside functions count too: a late import still makes one process load another's code.
"""

import ast
from typing import Dict, List, Optional, Set, Tuple

import pytest

from tests.support import ROOT

PACKAGES = ("bot", "actions")

# Who may import whom, by layer. A layer is the first two parts of a module name under bot/
# (bot.core, bot.rasa, ...), a service is bot.services.<name>, and actions/ is one layer.
ALLOWED: Dict[str, Set[str]] = {
    "bot.core": set(),
    "bot.clients": {"bot.core"},
    "bot.services": {"bot.core", "bot.clients"},  # and its own service only: see SERVICE below
    "bot.rasa": {"bot.core", "bot.clients"},
    "actions": {"bot.core", "bot.clients"},
    "bot.ml": {"bot.core", "bot.clients"},
    "bot.ops": {"bot.core", "bot.clients", "bot.services", "bot.ml"},
    "bot.load": {"bot.core", "bot.clients", "bot.ops", "bot.ml"},
    "bot.cli": {"bot.core", "bot.clients", "bot.services", "bot.ml", "bot.ops", "bot.load", "bot.rasa"},
    "bot": {"bot.cli"},  # bot/__main__.py
}


def module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "actions":
        return "actions"
    candidate = ".".join(parts[:2])
    return candidate if candidate in ALLOWED else "bot"


def service(module: str) -> str:
    """bot.services.desk.routes -> bot.services.desk; the action server module is its own service."""
    return ".".join(module.split(".")[:3])


def our_imports(path) -> List[Tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in PACKAGES]


def refusal(importer: str, imported: str) -> Optional[str]:
    """Why `importer` may not import `imported`, or None when it may."""
    source, target = layer(importer), layer(imported)
    if source == target:
        if source == "bot.services" and service(importer) != service(imported):
            return "services never import each other (they talk over HTTP, through bot/clients/)"
        return None
    if target not in ALLOWED[source]:
        return f"{source} may import only {sorted(ALLOWED[source]) or 'nothing of ours'}"
    return None


def violations() -> List[str]:
    files = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    modules = {module_name(path) for path in files}
    found = []
    for path in files:
        importer = module_name(path)
        for line, imported in our_imports(path):
            if imported not in modules:  # `from bot.x import name`: the module part is checked
                continue
            reason = refusal(importer, imported)
            if reason:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}: {reason}")
    return found


def test_every_import_follows_the_layer_rules():
    assert violations() == []


def test_every_module_is_in_a_layer_of_the_rules():
    files = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    loose = sorted(
        module_name(path)
        for path in files
        if layer(module_name(path)) == "bot" and module_name(path) not in {"bot", "bot.__main__"}
    )
    assert loose == []


@pytest.mark.parametrize(
    "importer, imported, allowed",
    [
        ("bot.services.desk.app", "bot.services.operator.db", False),
        ("bot.services.desk.app", "bot.services.desk.routes", True),
        ("bot.rasa.channels.relay", "bot.services.desk.cases", False),
        ("bot.core.db", "bot.services.operator.tables", False),
        ("actions.payment", "bot.clients.operator", True),
        ("bot.cli.main", "bot.services.operator.seed", True),
    ],
)
def test_the_rules_themselves(importer, imported, allowed):
    assert (refusal(importer, imported) is None) is allowed


def test_only_the_locustfile_imports_locust_or_gevent():
    """Importing locust monkey-patches the standard library with gevent: only the locust process,
    which loads bot/load/locustfile.py, may do it (bot/load/runner.py starts that process)."""
    found = []
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py"),
                 *ROOT.joinpath("tests").rglob("*.py")]:  # fmt: skip
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in ("locust", "gevent") for name in names):
                found.append(str(path.relative_to(ROOT)))
    assert sorted(set(found)) == ["bot/load/locustfile.py"]
