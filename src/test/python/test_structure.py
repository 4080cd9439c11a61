"""The factory's module structure: no import cycles inside the sanasr package (issue 18 item 5: count.py and
export.py used to import each other), counting imports inside functions too, since they close a cycle at run
time just the same."""
import ast
import os

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "..", "main", "python", "sanasr")


def module_files():
    root = os.path.abspath(PACKAGE)
    out = {}
    for folder, _, files in os.walk(root):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(folder, f)
                name = os.path.relpath(path, os.path.dirname(root))[:-3].replace(os.sep, ".")
                out[name[:-len(".__init__")] if name.endswith(".__init__") else name] = path
    return out


def import_graph():
    """{module: modules of the package it imports relatively, anywhere in its source}."""
    mods = module_files()
    graph = {}
    for name, path in mods.items():
        package = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
        deps = set()
        with open(path) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
                if node.module is None:   # from . import a, b: each may be a module
                    deps |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods}
                elif base in mods:
                    deps.add(base)
        graph[name] = deps
    return graph


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "sanasr.weights" in graph["sanasr.count"]          # count.main's import of load_model
    assert "sanasr.train.common" in graph["sanasr.weights"]   # load_npz's import of attach_lora


def test_no_import_cycles_in_the_package():
    assert cycles(import_graph()) == []
