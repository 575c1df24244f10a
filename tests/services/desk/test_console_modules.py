"""The console's ES modules (static/console/): every import resolves to a served module that exports
the name, every module is reached from the entry module, and each is served as a script that the
browser revalidates."""

import re
from typing import Dict, Set

from bot.services.desk.routes import STATIC

CONSOLE = STATIC / "console"
IMPORT = re.compile(r'^import \{([^}]*)\} from "(\./[\w-]+\.js)";$', re.M)  # one line or one name a line
EXPORT = re.compile(r"^export (?:async function|function|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)


def imports_of(name: str) -> Dict[str, Set[str]]:
    text = (CONSOLE / name).read_text(encoding="utf-8")
    found: Dict[str, Set[str]] = {}
    for names, target in IMPORT.findall(text):
        found.setdefault(target[2:], set()).update(part.strip() for part in names.split(",") if part.strip())
    # Nothing else may pull code in: no bare, absolute or dynamic import.
    assert len(re.findall(r"\bimport\b", text)) == len(IMPORT.findall(text)), name
    return found


def test_every_import_names_an_export_of_a_module_of_the_folder_and_every_module_is_used():
    reached, pending = set(), ["main.js"]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        for target, names in imports_of(name).items():
            exports = set(EXPORT.findall((CONSOLE / target).read_text(encoding="utf-8")))
            assert names <= exports, f"{name} imports {sorted(names - exports)} that {target} does not export"
            pending.append(target)
    assert reached == {path.name for path in CONSOLE.glob("*.js")}


def test_no_module_writes_markup():
    for path in CONSOLE.glob("*.js"):
        code = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.M)  # comments may say "never"
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", code), path.name


async def test_every_module_is_served_as_a_script_revalidated_on_each_load(client):
    for path in sorted(CONSOLE.glob("*.js")):
        response = await client.get(f"/static/console/{path.name}")
        assert (response.status, response.headers["Content-Type"], response.headers["Cache-Control"]) == (
            200,
            "text/javascript; charset=utf-8",
            "no-cache",
        ), path.name
        assert await response.text() == path.read_text(encoding="utf-8")
        again = await client.get(f"/static/console/{path.name}", headers={"If-None-Match": response.headers["ETag"]})
        assert (again.status, again.headers["Cache-Control"]) == (304, "no-cache"), path.name
