"""The mutation audit's planted bugs (tools/mutation.py) still fit the code.

The audit itself is slow (README: "Mutation audit"); this only checks that every mutant's text
is found exactly once in its file, that each names test files that exist, and that every kind
of bug issue 12 listed has a mutant, so a refactoring cannot make the list rot silently.
"""

from __future__ import annotations

import importlib.util
import shlex
import sys

from packets import paths


def _tool():
    if "mutation_tool" not in sys.modules:
        spec = importlib.util.spec_from_file_location("mutation_tool", paths.root() / "tools" / "mutation.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["mutation_tool"] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["mutation_tool"]


def test_every_mutant_still_applies_once_and_names_existing_tests():
    tool = _tool()
    assert tool.check(tool.MUTANTS) == []
    assert len(tool.MUTANTS) >= 60
    for mutant in tool.MUTANTS:
        assert (paths.root() / mutant.file).is_file(), mutant.id
        files = [a.split("::")[0] for a in mutant.tests if not a.startswith("-")]
        assert files and all((paths.root() / f).is_file() for f in files), (mutant.id, files)
        assert all(len(shlex.split(a)) == 1 for a in mutant.tests)


def test_every_kind_of_bug_of_the_issue_has_a_mutant():
    tool = _tool()
    assert set(tool.KINDS) <= {m.kind for m in tool.MUTANTS if m.kind}
    assert {m.kind for m in tool.MUTANTS if m.kind} <= set(tool.KINDS)


def test_applying_a_mutant_changes_only_its_text():
    tool = _tool()
    mutant = tool.Mutant("x", "f.py", (("a = 1\n", "a = 2\n"),), ("tests/test_x.py",), "a one")
    assert tool.apply("b = 0\na = 1\n", mutant) == "b = 0\na = 2\n"
    for text in ("b = 0\n", "a = 1\na = 1\n"):  # missing, or ambiguous: reported, never guessed
        try:
            tool.apply(text, mutant)
        except LookupError as err:
            assert "found" in str(err)
        else:
            raise AssertionError(text)
