"""Figures for docs/benchmarks.md: matplotlib (the ``bench`` group), written as stable SVG.

The SVG carries no date and fixed element ids, so rerunning a benchmark changes the file
only where its numbers changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.run import REPO_ROOT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

IMG = REPO_ROOT / "docs" / "img"
COLOURS = {
    "dagrute": "#1b6ca8",
    "dagrute, whole-day search (b6527fb)": "#9ecae1",
    "dagrute at 9ebd5b5 (racing on the day, 10 % + 2 s reserve)": "#6baed6",
    "ortools-default": "#7f7f7f",
    "vroom": "#d1495b",
    "pyvrp": "#66a182",
}
"""One colour per solver, the same in every figure."""


def new_figure(num_panels: int, width_in: float = 10.0, height_in: float = 4.0) -> Figure:
    """A figure with ``num_panels`` side by side, drawn off-screen (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "dagrute"
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    figure.subplots(1, num_panels)
    return figure


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix) without a timestamp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Date": None} if path.suffix == ".svg" else {}
    figure.savefig(path, metadata=metadata)
    return path
