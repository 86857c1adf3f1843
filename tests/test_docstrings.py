"""Every Examples section in the public modules runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "eikura",
    "eikura.schedules",
    "eikura.distributions",
    "eikura.model",
    "eikura.networks",
    "eikura.simulation",
    "eikura.classify",
    "eikura.checkpoint",
    "eikura.demo",
    "eikura.sweep",
    "eikura.experiments",
    "eikura.theory",
    "eikura.theory.diagram",
    "eikura.theory.states",
    "eikura.theory.reduced",
    "eikura.theory._chimeras",
    "eikura.theory._entrainment",
    "eikura.theory.delays",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
