"""Every benchmark runs once at a tiny size and produces its figures (no timing is asserted).

The benchmarks are not timed tests; this only keeps them from rotting.
``python -m benchmarks`` is the real run (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the benchmarks need pseudo-terminals and /proc"
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: it lives beside tests/
    sys.path.insert(0, str(ROOT))

from benchmarks.__main__ import BENCHMARKS, main  # noqa: E402
from benchmarks.core import TINY, Figure  # noqa: E402
from benchmarks.workspace import Workspace  # noqa: E402

#: The figures each benchmark must produce, by the issue's numbering.
EXPECTED = {
    "startup": {"1a", "1b", "1c"},
    "lookup": {"2a", "2b", "2c"},
    "detail": {"3a", "3b"},
    "big": {"6a", "6b", "6c"},
    "idle": {"4a", "4b", "5a", "5b", "8b"},
    "output": {"4c", "4d", "5c"},
    "longrun": {"7"},
    "polling": {"8a", "8c", "8d"},
    "engine": {"11a", "11b", "11c", "11d"},
    "soak": {"11e"},
    "transfer": {"14a", "14b", "14c"},
}


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    with Workspace(TINY) as ws:
        yield ws


def test_every_benchmark_is_covered() -> None:
    assert set(EXPECTED) == set(BENCHMARKS)


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_produces_figures(workspace: Workspace, name: str) -> None:
    _part, _what, function = BENCHMARKS[name]
    figures = function(workspace)
    assert {f.key for f in figures} == EXPECTED[name]
    for figure in figures:
        assert isinstance(figure, Figure)
        assert figure.value is not None or figure.value_text, figure
        assert figure.baseline is not None or figure.baseline_text, figure
        assert figure.goal and figure.title
        assert figure.met in (True, False), figure  # judged, whichever way
        assert "failed" not in figure.note


def test_command_line_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "BENCHMARKS.md"
    assert main(["--tiny", "--only", "lookup", "--output", str(output)]) == 0
    text = output.read_text()
    assert "| # | Figure | cypkg | Baseline | Ratio | Goal | Met? |" in text
    for key in EXPECTED["lookup"]:
        assert f"| {key} |" in text
    assert "## Machine" in text and "python -m benchmarks" in text
    assert "| 2a |" in capsys.readouterr().out


def test_idle_figures_without_the_anchor(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No procps ``watch`` and no way to install it: the figures say so, nothing fails."""
    from benchmarks import anchor, bench_idle

    why = f"{anchor.NOT_AVAILABLE}: `watch` not found and not installed (not root)"
    monkeypatch.setattr(anchor, "find_tools", lambda *, install: why)
    figures = {f.key: f for f in bench_idle.run(workspace)}
    for key in ("4a", "4b", "5a", "5b"):
        assert figures[key].baseline is None
        assert figures[key].baseline_text == anchor.NOT_AVAILABLE
        assert figures[key].baseline_label == why
        assert figures[key].value is not None


def test_figures_saved_by_one_run_are_reused_by_another(tmp_path: Path) -> None:
    """The 83-minute soak runs alone; the full report takes its figures from that run."""
    saved, report = tmp_path / "figures.json", tmp_path / "report.md"
    assert main(["--tiny", "--only", "soak", "--save-figures", str(saved), "--output", "-"]) == 0
    assert "11e" in json.loads(saved.read_text())["figures"]["soak"][0]["key"]
    assert main(["--tiny", "--only", "soak", "--reuse", str(saved), "--output", str(report)]) == 0
    assert "measured in a separate run" in report.read_text()
