"""The README's quick start runs and shows what it says (a bistable two-start pair)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.slow
def test_quick_start_shows_bistability(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # the example writes run.nc
    namespace: dict[str, object] = {}
    exec(_python_blocks()[0], namespace)
    low_r_e, high_r_e, label = capsys.readouterr().out.split()
    assert float(low_r_e) < 0.1
    assert float(high_r_e) > 0.5
    assert label == "bistable"
    assert (tmp_path / "run.nc").exists()
