"""The public functions and methods are annotated (the package ships py.typed)."""

import ast
from pathlib import Path

import sklearn_rnnmemory

PACKAGE = Path(sklearn_rnnmemory.__file__).resolve().parent


def _public_functions(tree):
    """(name, node) of the functions and methods outside underscore names, with
    the ``__init__`` and ``__call__`` of public classes."""

    def visit(node, owner, public):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from visit(child, child.name, public and child.name[0] != "_")
            elif isinstance(child, ast.FunctionDef) and public:
                name = child.name
                if not name.startswith("_") or name in ("__init__", "__call__"):
                    yield f"{owner}.{name}" if owner else name, child

    yield from visit(tree, None, True)


def _annotated(function):
    args = function.args
    params = [
        a
        for a in args.posonlyargs + args.args + args.kwonlyargs
        if a.arg not in ("self", "cls")
    ]
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    returns = function.name == "__init__" or function.returns is not None
    return returns and all(a.annotation is not None for a in params)


def test_every_public_function_and_method_is_annotated():
    missing = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, node in _public_functions(ast.parse(path.read_text()))
        if not _annotated(node)
    ]
    assert not missing, "not annotated:\n" + "\n".join(missing)


def _public_callables():
    import importlib
    import inspect

    for name in ("", ".indicators", ".scoring", ".selection", ".study", ".testing"):
        module = importlib.import_module("sklearn_rnnmemory" + name)
        for attr in getattr(module, "__all__", dir(module)):
            obj = getattr(module, attr)
            if callable(obj) and not attr.startswith("_"):
                for member in (
                    [obj, *vars(obj).values()] if inspect.isclass(obj) else [obj]
                ):
                    if callable(member) and not getattr(
                        member, "__name__", "_"
                    ).startswith("_"):
                        yield f"{module.__name__}.{attr}", member


def test_help_shows_the_type_aliases_by_name():
    import pydoc

    from sklearn_rnnmemory.indicators import memory_profile

    text = pydoc.render_doc(memory_profile, renderer=pydoc.plaintext)
    assert "points: 'ArrayLike'" in text
    assert "random_state: 'RandomStateLike'" in text
    expanded = [
        name
        for name, obj in _public_callables()
        if "numpy._typing" in pydoc.render_doc(obj, renderer=pydoc.plaintext)
    ]
    assert not expanded, "help() expands numpy's ArrayLike in: " + ", ".join(expanded)
