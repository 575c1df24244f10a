"""The console's ES modules (static/console/): every import resolves to a served module that exports
the name, every module is reached from the entry module, and each is served as a script that the
browser revalidates."""

import re
from typing import Dict, Set

from bot.services.desk.routes import STATIC

CONSOLE = STATIC / "console"
# The agents' console and the supervisors' dashboard (which reuses console/ modules).
FOLDERS = ("console", "dashboard")
# One line, or one name a line; from the module's folder, or from console/.
IMPORT = re.compile(r'^import \{([^}]*)\} from "((?:\./|\.\./console/)[\w-]+\.js)";$', re.M)
EXPORT = re.compile(r"^export (?:async function|function|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)


def modules() -> Set[str]:
    return {f"{folder}/{path.name}" for folder in FOLDERS for path in (STATIC / folder).glob("*.js")}


def resolve(module: str, target: str) -> str:
    """console/main.js + ./api.js -> console/api.js; dashboard/main.js + ../console/dom.js -> console/dom.js"""
    folder = module.split("/")[0]
    return target[3:] if target.startswith("../") else f"{folder}/{target[2:]}"


def imports_of(module: str) -> Dict[str, Set[str]]:
    text = (STATIC / module).read_text(encoding="utf-8")
    found: Dict[str, Set[str]] = {}
    for names, target in IMPORT.findall(text):
        named = {part.strip() for part in names.split(",") if part.strip()}
        found.setdefault(resolve(module, target), set()).update(named)
    # Nothing else may pull code in: no bare, absolute or dynamic import.
    assert len(re.findall(r"\bimport\b", text)) == len(IMPORT.findall(text)), module
    return found


def test_every_import_names_an_export_of_a_served_module_and_every_module_is_used():
    reached, pending = set(), ["console/main.js", "dashboard/main.js"]
    while pending:
        module = pending.pop()
        if module in reached:
            continue
        reached.add(module)
        for target, names in imports_of(module).items():
            exports = set(EXPORT.findall((STATIC / target).read_text(encoding="utf-8")))
            assert names <= exports, f"{module} imports {sorted(names - exports)} that {target} does not export"
            pending.append(target)
    assert reached == modules()


def test_no_module_writes_markup():
    for path in (STATIC / module for module in modules()):
        code = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.M)  # comments may say "never"
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", code), path.name


async def test_every_module_is_served_as_a_script_revalidated_on_each_load(client):
    for module in sorted(modules()):
        path = STATIC / module
        response = await client.get(f"/static/{module}")
        assert (response.status, response.headers["Content-Type"], response.headers["Cache-Control"]) == (
            200,
            "text/javascript; charset=utf-8",
            "no-cache",
        ), path.name
        assert await response.text() == path.read_text(encoding="utf-8")
        again = await client.get(f"/static/{module}", headers={"If-None-Match": response.headers["ETag"]})
        assert (again.status, again.headers["Cache-Control"]) == (304, "no-cache"), path.name
