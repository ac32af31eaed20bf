"""Running every domain's section and writing the report folder.

The folder holds ``report.html`` (self-contained), ``report.md`` and ``figures/<name>.png`` (for the
Markdown). Every file is written atomically (:mod:`shared.atomic`), figures first and the HTML last, and an
existing report is refused before any work starts unless ``force``.
"""

import datetime
import importlib
import os
import time
from pathlib import Path

from domains.report.html import render_html
from domains.report.markdown import render_markdown
from shared.atomic import atomic_open, check_writable
from shared.cli import InputError

#: Section modules, in the order they appear.
SECTIONS = ("genomics", "sentiment", "ecology", "churn")
#: Settings of a full report and of ``--quick`` (the same code, less data and training: for tests and a first look).
FULL = {"genome_bases": None, "sentiment_rows": None, "ecology_epochs": None}
QUICK = {"genome_bases": 150_000, "sentiment_rows": 1_500, "ecology_epochs": 20}
TITLE = "gated-domains: shipped models beside their baselines"


def _outputs(out):
    out = Path(out)
    return out / "report.html", out / "report.md", out / "figures"


def check_out(out, force=False):
    """Raises :class:`InputError` if ``out`` is a file, cannot be created or written (checked before any work,
    not after minutes of it), or already holds a report and ``force`` is False."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; --out names the report folder")
    for path in _outputs(out):
        if path.exists() and not force:
            raise InputError(f"{path}: a report is already there; pass --force to overwrite it")
    html, markdown, _ = _outputs(out)
    check_writable(str(html), force)
    check_writable(str(markdown), force)


def compute_sections(quick=False, seed=0, progress=True, names=SECTIONS):
    """Runs each section module's ``section(settings)``; returns the list of sections.

    Args:
        quick: the ``QUICK`` settings instead of ``FULL``. seed: for sampling and training.
        progress: show a Keras progress bar over the sections (on standard output).
        names: which sections, in order.
    """
    import keras

    settings = {**(QUICK if quick else FULL), "seed": seed}
    bar = keras.utils.Progbar(len(names), unit_name="section", stateful_metrics=["seconds"]) if progress else None
    if bar is not None:
        bar.update(0)
    sections = []
    for done, name in enumerate(names, start=1):
        started = time.perf_counter()
        section = importlib.import_module(f"domains.report.{name}").section(settings)
        section.seconds = time.perf_counter() - started
        sections.append(section)
        if bar is not None:
            bar.update(done, [("seconds", section.seconds)])
    return sections


def write_report(out, sections, meta, force=False):
    """Writes ``report.html``, ``report.md`` and the figures into ``out``; returns ``(html, markdown)`` paths."""
    html, markdown, figures = _outputs(out)
    os.makedirs(figures, exist_ok=True)
    paths = {}
    for section in sections:
        for figure in section.figures:
            path = figures / f"{figure.name}.png"
            with atomic_open(str(path), "wb", force=force) as handle:
                handle.write(figure.png)
            paths[figure.name] = path.relative_to(html.parent).as_posix()
    with atomic_open(str(markdown), force=force, encoding="utf-8") as handle:
        handle.write(render_markdown(TITLE, meta, sections, paths))
    with atomic_open(str(html), force=force, encoding="utf-8") as handle:
        handle.write(render_html(TITLE, meta, sections))
    return html, markdown


def build_report(out, force=False, quick=False, seed=0, progress=True):
    """Computes every section and writes the report folder ``out``.

    Returns:
        dict: ``html``, ``markdown`` (paths as strings), ``seconds`` (total wall time), ``quick``, and
        ``sections`` (key -> ``{"shipped", "model", "seconds"}``).
    """
    check_out(out, force)
    started = time.perf_counter()
    sections = compute_sections(quick, seed, progress)
    seconds = time.perf_counter() - started
    import keras

    backend = keras.backend.backend()  # the module name: tensorflow, jax, torch or numpy
    label = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch", "numpy": "NumPy"}.get(backend, backend)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    meta = (f"Generated {stamp} by `python -m domains report{' --quick' if quick else ''} --seed {seed}` in "
            f"{seconds:.0f} s; Keras {keras.__version__} on {label} {importlib.import_module(backend).__version__}."
            + f" Shipped models evaluated: {', '.join(s.key for s in sections if s.shipped) or 'none'}"
            + f"; not shipped: {', '.join(s.key for s in sections if not s.shipped) or 'none'}."
            + (" Quick run: less data and training than the full report." if quick else ""))
    html, markdown = write_report(out, sections, meta, force)
    return {"html": str(html), "markdown": str(markdown), "seconds": round(seconds, 1), "quick": quick,
            "sections": {s.key: {"shipped": s.shipped, "model": s.model, "seconds": round(s.seconds, 1)}
                         for s in sections}}
