"""The README's quick start runs and shows what it says (a bistable two-start pair)."""

from __future__ import annotations

import re
import subprocess
import sys
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


@pytest.mark.slow
@pytest.mark.parametrize("block", range(len(_python_blocks())))
def test_every_python_block_runs_as_a_script(block: int, tmp_path: Path) -> None:
    """Each block is self-contained: saved as a file and run with ``python``, it exits 0
    (the sweep block needs its ``if __name__ == "__main__"`` guard for that)."""
    script = tmp_path / f"block_{block}.py"
    script.write_text(_python_blocks()[block])
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Warning" not in result.stderr, result.stderr[-3000:]  # no warning in an example
