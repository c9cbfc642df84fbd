"""No code from outside: nothing downloaded is unpickled, evaluated or executed, YAML is only safe-loaded, no shell.

The package's source is scanned with `ast` (so comments and strings do not count); a `yaml.load(..., Loader=X)`
passes only when X, imported from the module, is a subclass of yaml.SafeLoader."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, raw

from aggregator.collectors import lmarena
from aggregator.config import load_configs
from aggregator.errors import ParseError

PACKAGE = ROOT / "aggregator"
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "marshal", "shelve", "jsonpickle"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
UNSAFE_ATTRS = {
    ("yaml", "unsafe_load"), ("yaml", "full_load"), ("yaml", "load_all"), ("yaml", "unsafe_load_all"),
    ("yaml", "full_load_all"), ("yaml", "UnsafeLoader"), ("yaml", "FullLoader"), ("yaml", "Loader"),
    ("pd", "read_pickle"), ("pandas", "read_pickle"), ("os", "system"), ("os", "popen"), ("torch", "load"),
}
PICKLE_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".joblib", ".npy", ".npz")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _loader_is_safe(module: str, expr: ast.AST) -> bool:
    """Resolve the Loader expression in the imported module and check it is a SafeLoader."""
    mod = importlib.import_module(module) if module else None
    target: object = None
    parts = _dotted(expr).split(".")
    if parts == [""]:
        return False
    if parts[0] == "yaml":
        target = yaml
        parts = parts[1:]
    else:
        target = mod
    for p in parts:
        target = getattr(target, p, None)
    safe = tuple(c for c in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None)) if c is not None)
    return isinstance(target, type) and issubclass(target, safe)


def scan(source: str, module: str = "") -> list[str]:
    """Every unsafe construct in a module's source, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: import {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
            found.append(f"{line}: from {node.module} import")
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found += [f"{line}: from yaml import {a.name}" for a in node.names
                      if a.name in {"load", "load_all", "unsafe_load", "full_load", "Loader", "UnsafeLoader", "FullLoader"}]
        elif isinstance(node, ast.Attribute) and tuple(_dotted(node).split(".")[-2:]) in UNSAFE_ATTRS:
            found.append(f"{line}: {_dotted(node)}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            kw = {k.arg: k.value for k in node.keywords}
            if name in UNSAFE_CALLS:
                found.append(f"{line}: {name}()")
            if name.endswith((".eval", ".query")) and not name.startswith(("re.", "ast.")):
                found.append(f"{line}: {name}() evaluates an expression string")
            if name == "yaml.load":
                loader = kw.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
                if loader is None or not _loader_is_safe(module, loader):
                    found.append(f"{line}: yaml.load without a SafeLoader")
            shell = kw.get("shell")
            if shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
                found.append(f"{line}: {name}(shell=...)")
            if name.endswith("extractall") or (name.endswith(".extract") and not name.endswith(".str.extract")):
                found.append(f"{line}: {name}() writes archive paths to disk")
            allow = kw.get("allow_pickle")
            if allow is not None and not (isinstance(allow, ast.Constant) and allow.value is False):
                found.append(f"{line}: allow_pickle")
            verify = kw.get("verify")
            if isinstance(verify, ast.Constant) and verify.value is False:
                found.append(f"{line}: TLS verification off")
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_package_has_no_unsafe_constructs(path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    assert scan(path.read_text(encoding="utf-8"), module) == []


@pytest.mark.parametrize("snippet", [
    "import pickle\n", "from pickle import loads\n", "import joblib\n", "x = pd.read_pickle(p)\n", "eval('1')\n",
    "exec(code)\n", "yaml.load(text)\n", "yaml.load(text, Loader=yaml.Loader)\n", "yaml.load(t, yaml.FullLoader)\n",
    "yaml.unsafe_load(t)\n", "from yaml import load\n", "subprocess.run(cmd, shell=True)\n", "os.system('ls')\n",
    "df.query(expr)\n", "pd.eval(expr)\n", "zf.extractall(d)\n", "np.load(p, allow_pickle=True)\n",
    "requests.get(u, verify=False)\n", "subprocess.run(cmd, shell=flag)\n",
])
def test_scanner_catches(snippet):
    assert scan(snippet), f"the scanner must flag {snippet!r}"  # why: a blind scanner passes vacuously


def test_scanner_accepts_safe_loader_subclass():
    assert scan("yaml.load(text, Loader=_Loader)\n", "aggregator.config") == []  # a SafeLoader subclass
    assert scan("yaml.load(text, Loader=yaml.SafeLoader)\n") == []
    assert scan("yaml.safe_load(text)\n") == []
    assert scan("yaml.load(text, Loader=Unknown)\n", "aggregator.config")  # unresolvable: refused


def test_no_source_declares_pickle_files():
    cfg = load_configs(ROOT / "configs")
    for s in cfg.sources.values():
        names = [ep.name for ep in s.endpoints] + [ep.url or "" for ep in s.endpoints]
        names += [ep.hf.filename for ep in s.endpoints if ep.hf] + [g for m in s.mirror for g in m.files]
        bad = [n for n in names if n.lower().endswith(PICKLE_SUFFIXES) or "*.pkl" in n]
        assert not bad, f"{s.id} declares pickle-format files {bad}"


@pytest.mark.parametrize("name", ["elo_results_20240101.pkl", "leaderboard_table.pickle", "text/latest.pt"])
def test_lmarena_refuses_legacy_pickles(name):
    with pytest.raises(ParseError, match="unknown file"):
        lmarena.parse([raw(name, b"\x80\x04\x95cos\nsystem\n(S'echo pwned'\ntR.")])
