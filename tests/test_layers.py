"""The architecture, checked: the import contracts of pyproject.toml hold, every module
belongs to a layer and says in its first line what it owns, and the READMEs' map of
the package lists exactly the modules there are."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "dangwu"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]


def layers() -> list[list[str]]:
    """The layers contract, top first, each a list of sibling modules or packages."""
    contract = next(c for c in CONFIG["contracts"] if c["id"] == "layers")
    return [[part.strip() for part in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def modules() -> list[str]:
    """Every module of the package, dotted (packages by their __init__), but the
    package itself, which holds only its version and imports nothing."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:
            found.append(".".join(parts))
    return found


def test_the_package_itself_imports_nothing():
    tree = ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(getattr(n, "module", None) == "__future__" for n in imports)


def layer_of(module: str) -> int | None:
    for index, members in enumerate(layers()):
        if any(module == m or module.startswith(m + ".") for m in members):
            return index
    return None


def test_the_import_contracts_hold():
    # lint-imports is import-linter's command; it reads [tool.importlinter]
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_wrong_way_import_is_caught(tmp_path):
    """The contracts are not vacuous: a rule that reads git breaks them."""
    copy = tmp_path / "dangwu"
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy)], check=True)
    (copy / "rules" / "workflow.py").write_text(
        (PACKAGE / "rules" / "workflow.py").read_text("utf-8")
        + "\nfrom dangwu.store import gitstore  # noqa\n",
        "utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command as c; c()",
            "--config",
            str(ROOT / "pyproject.toml"),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dangwu.rules.workflow -> dangwu.store.gitstore" in result.stdout


@pytest.mark.parametrize("module", modules())
def test_every_module_is_in_a_layer_and_says_what_it_owns(module):
    assert layer_of(module) is not None, f"{module} is in no layer of [tool.importlinter]"
    base = ROOT / module.replace(".", "/")
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    docstring = ast.get_docstring(ast.parse(path.read_text("utf-8")))
    assert docstring, f"{path}: no docstring"
    assert len(docstring.split("\n", 1)[0]) >= 20, f"{path}: its first line says too little"


def test_modules_per_layer():
    """The layers, top first, and what each holds (printed with -s, asserted here)."""
    by_layer: dict[int, list[str]] = {}
    for module in modules():
        index = layer_of(module)
        assert index is not None
        by_layer.setdefault(index, []).append(module)
    for index, members in enumerate(layers()):
        print(" | ".join(members), "->", ", ".join(by_layer.get(index, [])))
    packages = {m for layer in layers() for m in layer if (PACKAGE / m.split(".", 1)[-1]).is_dir()}
    assert packages == {
        "dangwu.cli",
        "dangwu.app",
        "dangwu.render",
        "dangwu.store",
        "dangwu.check",
        "dangwu.rules",
        "dangwu.model",
    }
    # the face is the only package that talks to the terminal
    assert by_layer[layers().index(["dangwu.cli"])][0] == "dangwu.cli"


def readme_map(name: str) -> dict[str, set[str]]:
    """The package map of a README: a ``dangwu/<package>/`` line, then its modules on
    indented lines."""
    text = (ROOT / name).read_text("utf-8")
    block = re.search(r"<!-- layers -->\n```\n(.*?)```", text, re.S)
    assert block, f"{name} has no architecture map (<!-- layers --> before a code block)"
    found: dict[str, set[str]] = {}
    current = None
    for line in block.group(1).splitlines():
        if line.startswith("dangwu/"):
            current = line.split()[0]
            found[current] = set()
        elif line.startswith("    ") and current:
            found[current].update(line.split())
    return found


@pytest.mark.parametrize("name", ["README.md", "README.zh-CN.md"])
def test_the_readme_map_lists_every_module(name):
    found = readme_map(name)
    for folder in ["cli", "app", "render", "store", "check", "rules", "model"]:
        actual = {p.stem for p in (PACKAGE / folder).glob("*.py") if p.stem != "__init__"}
        assert found.get(f"dangwu/{folder}/") == actual, f"{name}: dangwu/{folder}/"
    kernel = {p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert found.get("dangwu/") == kernel, f"{name}: dangwu/"


def raw_git_calls(path: Path) -> list[str]:
    """Calls like ``git.run("rev-list", ...)``: a git command line spelled out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("run", "attempt", "try_run", "run_bytes")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value}")
        elif (  # ["git", ...] for subprocess
            isinstance(node, ast.List)
            and node.elts
            and isinstance(node.elts[0], ast.Constant)
            and node.elts[0].value == "git"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} git")
    return found


def test_git_command_lines_are_spelled_only_in_the_store():
    """Above the store, git is asked for by what it does (``git.remotes()``,
    ``git.commits_between(base, tip)``), never by a command line."""
    outside = [p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts]
    assert [call for path in sorted(outside) for call in raw_git_calls(path)] == []
    inside = [call for p in (PACKAGE / "store").glob("*.py") for call in raw_git_calls(p)]
    assert any(call.endswith(" rev-list") for call in inside)  # the check sees them


# What may be imported inside a function below the face (cli/, entry, serverhook),
# and why: each of these is left out of the start-up of the commands that do not
# need it. Anything else is imported at the top of its module.
LAZY = {
    "dangwu.rules.secrecy": "compiles large character classes: only a text's check needs it",
    "dangwu.store.gitstore": "opening an office starts no git unless a write was cut short",
    "dangwu.check": "jsonschema only for settings not found checked before",
    "ruamel": "round-trip YAML only for the commands that edit a file",
    "typst": "the typesetter (a 30 MB library) only when printing a PDF",
    "jinja2": "templates only when printing",
    "markupsafe": "templates only when printing",
    "markdown_it": "Markdown only when printing",
    "segno": "QR codes only on printed sheets",
    "jsonschema": "only files not checked before",
    "fastjsonschema": "only many files not checked before",
    "chinese_calendar": "the State Council's holidays only when counting working days",
    "holidays": "statutory holidays (0.15 s to import) only for a year chinese_calendar lacks",
    "cryptography": "the sample people's keys only in the demo",
    "git": "GitPython only to create a repository",
    "multiprocessing": "worker processes only for many files",
    "concurrent": "worker processes only for many files",
    "zoneinfo": "the time-zone database only for an office outside China's zone",
    "html": "the HTML parser only when a page is checked before printing",
    "dangwu.app.supervision": "the supervision files only when validate checks them",
    "pagefind_bin_extended": "the search indexer is a program found only when a site is built",
    "docx": "python-docx (70 ms to import) only when a DOCX is written or read",
    "pypdf": "the PDF reader (0.17 s to import) only when an attached PDF is reviewed",
    "yaml": "PyYAML (10 ms) only to parse a text: show of a record read before needs none",
    "difflib": "near names only when a name was missed",
    "hashlib": "OpenSSL takes 2.3 ms to start: only where a blob id or digest is computed",
}


def lazy_imports() -> list[tuple[str, str]]:
    """(module file, imported module) for every import inside a function below the face."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "cli" or relative.name in ("entry.py", "serverhook.py"):
            continue
        for function in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    found += [(relative.as_posix(), alias.name) for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    found.append((relative.as_posix(), node.module))
    return found


def test_an_import_inside_a_function_has_its_reason():
    """Below the face, modules are imported at the top of the module that uses them;
    the few imported where they are used are left out of start-up, for the reason
    LAZY gives."""
    found = lazy_imports()
    assert found, "the check reads no import at all"
    unexplained = [
        f"{where}: {module}"
        for where, module in found
        if not any(module == name or module.startswith(f"{name}.") for name in LAZY)
    ]
    assert unexplained == [], "import these at the top, or say in LAZY why not"
    unused = [
        name
        for name in LAZY
        if not any(module == name or module.startswith(f"{name}.") for _where, module in found)
    ]
    assert unused == []
