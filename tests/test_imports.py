"""The package's imports run one way: no cycle between its modules (imports
inside functions included), and the model code never imports the deploy
code."""
import ast
from pathlib import Path
from typing import Dict, List, Set

from tests._demo_helpers import ROOT

PACKAGE = ROOT / 'ghost_det'


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def import_graph() -> Dict[str, Set[str]]:
    """Each ghost_det module -> the ghost_det modules it imports anywhere
    in its file (``from .x import y`` -> ``x.y`` when that is a module)."""
    files = {module_name(p): p for p in PACKAGE.rglob('*.py')}
    graph: Dict[str, Set[str]] = {}
    for name, path in files.items():
        package = name if path.name == '__init__.py' else name.rpartition(
            '.')[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                bases = [a.name for a in node.names]
                names: List[str] = []
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ''
                if node.level:
                    anchor = package.split('.')
                    anchor = anchor[:len(anchor) - node.level + 1]
                    base = '.'.join(anchor + ([base] if base else []))
                bases, names = [base], [a.name for a in node.names]
            else:
                continue
            for base in bases:
                found = [f'{base}.{n}' for n in names if f'{base}.{n}' in files]
                targets.update(found or ([base] if base in files else []))
        graph[name] = targets - {name}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # imported inside DeployHook's methods only
    assert 'ghost_det.deploy.engine_detector' in graph[
        'ghost_det.engine.hooks.deploy_hook']
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [
        ['a', 'b', 'c']]


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_models_never_import_deploy_or_analysis():
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith('ghost_det.models'):
            assert not {t for t in targets if t.startswith(
                ('ghost_det.deploy', 'ghost_det.analysis'))}, name
