"""``python -m domains report``: the page is written, refuses to be overwritten, and renders in a real browser.

The report is run once per session with ``--quick`` (the same code as the full report on less data and
training) and opened in headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it where it can): the
DOM must hold the tables, every embedded image must decode (``naturalWidth > 0``), and a screenshot must not
be blank.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from domains.report.document import Figure, Section, Table
from domains.report.html import render_html
from domains.report.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
SECTIONS = ("genomics", "sentiment", "ecology", "churn")
FIGURES = ("genome_track", "sentiment_negation", "lynx_fan", "churn_survival", "churn_calibration")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium)")


def cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "domains", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)


@pytest.fixture(scope="module")
def report(tmp_path_factory, worker_id):
    """The quick report's folder and its ``--json`` summary, computed once per session: the pytest-xdist workers
    share it (the first to take the lock runs the report; its folder lies in the session's temporary folder)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "quick-report"
    shared.mkdir(exist_ok=True)
    out, summary = shared / "report", shared / "summary.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not summary.exists():
            result = cli("report", "--quick", "--out", out, "--json")
            assert result.returncode == 0, result.stderr
            summary.write_text(result.stdout.strip().splitlines()[-1], encoding="utf-8")
    return out, json.loads(summary.read_text(encoding="utf-8"))


def chromium(*args, user_data):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={user_data}", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_report_writes_html_markdown_and_figures(report):
    out, summary = report
    assert summary["quick"] and set(summary["sections"]) == set(SECTIONS)
    page = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in page and f'<a id="{key}"></a>' in markdown
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page), "the page must not fetch anything"
    assert "<script" not in page and "<link" not in page and "url(" not in page and "<style>" in page
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == len(FIGURES) and all(s.startswith("data:image/png;base64,") for s in sources)
    for name in FIGURES:
        assert (out / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](figures/{name}.png)" in markdown
    assert markdown.count("\n|---|") >= 6
    import keras
    import tensorflow as tf

    assert f"; Keras {keras.__version__} on TensorFlow {tf.__version__}." in markdown  # the backend it ran on


def test_report_shows_shipped_models_and_says_when_absent(report):
    """A domain with its weights file gets its model's row; one without says so and shows the baselines."""
    out, summary = report
    page = (out / "report.html").read_text(encoding="utf-8")
    from domains.churn.__main__ import SHIPPED as churn_weights
    from domains.genomics.__main__ import SHIPPED as genomics_weights
    from domains.report.ecology import SHIPPED as lynx_weights
    from domains.report.sentiment import shipped_model

    expected = {"genomics": genomics_weights.is_file(), "sentiment": shipped_model() is not None,
                "ecology": lynx_weights.is_file(), "churn": churn_weights.is_file()}
    assert {key: value["shipped"] for key, value in summary["sections"].items()} == expected
    assert expected["churn"], "the churn weights are shipped with the project"
    sections = {key: page.split(f'<section id="{key}">')[1].split("</section>")[0] for key in SECTIONS}
    for key, shipped in expected.items():
        assert ("No shipped model" in sections[key]) == (not shipped), key
    assert ("<th>gated (shipped)</th>" in sections["genomics"]) == expected["genomics"]
    assert ("<th>gated (shipped)</th>" in sections["sentiment"]) == expected["sentiment"]
    assert "<th>gated</th>" in sections["ecology"]  # fitted here when none is shipped
    assert "<th>gated</th>" in sections["churn"] and "<th>coxph</th>" in sections["churn"]
    assert "not a truth set" in sections["genomics"]  # the bundled annotation is Prodigal/Glimmer calls


def test_report_refuses_to_overwrite_without_force(report, tmp_path):
    out, _ = report
    before = (out / "report.html").stat().st_mtime_ns
    result = cli("report", "--quick", "--out", out)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "report.html" in result.stderr and "--force" in result.stderr
    assert (out / "report.html").stat().st_mtime_ns == before
    afile = tmp_path / "afile"
    afile.write_text("x")
    result = cli("report", "--out", afile)
    assert result.returncode == 2 and "afile" in result.stderr and "folder" in result.stderr


@needs_chromium
def test_report_renders_in_headless_chromium(report, tmp_path):
    """Chromium's DOM holds every table with rows, every image decodes, and the page is not blank."""
    out, _ = report
    page = (out / "report.html").read_text(encoding="utf-8")
    probe = """<script>window.addEventListener("load", () => {
      const images = [...document.images];
      document.body.setAttribute("data-check", JSON.stringify({
        images: images.length, decoded: images.filter(i => i.complete && i.naturalWidth > 0).length,
        widths: images.map(i => i.naturalWidth),
        tables: document.querySelectorAll("table").length,
        rows: [...document.querySelectorAll("table")].map(t => t.tBodies[0].rows.length)}));
    });</script></body>"""
    checked = tmp_path / "checked.html"  # a copy with the probe; the report itself holds no script
    checked.write_text(page.replace("</body>", probe), encoding="utf-8")
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", checked.as_uri(), user_data=tmp_path / "profile1")
    marker = re.search(r'data-check="([^"]+)"', dom)
    assert marker, "the page's load event never ran"
    check = json.loads(marker.group(1).replace("&quot;", '"'))
    assert check["images"] == len(FIGURES) and check["decoded"] == len(FIGURES), check
    assert min(check["widths"]) >= 300
    assert check["tables"] >= 6 and min(check["rows"]) >= 1, check
    for caption in ("Agreement with the bundled annotation", "Accuracy overall, with and without negation",
                    "One-step-ahead scores", "Calibration: mean predicted S(t)"):
        assert caption in dom
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars", (out / "report.html").as_uri(),
             user_data=tmp_path / "profile2")
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (1600, 1200)
    assert (pixels < 128).mean() > 0.01 and pixels.std() > 20, "the screenshot is blank"


def test_writers_render_tables_figures_and_missing_values():
    frame = pd.DataFrame({"score": [0.5, float("nan")], "n": [3, 4]}, index=pd.Index(["a", "b|c"], name="model"))
    png = b"\x89PNG\r\n\x1a\nfake"
    section = Section("demo", "Demo <one>", "model `m`", paragraphs=["see `code`"],
                      tables=[Table("T", frame, digits=2)], figures=[Figure("f", "F", png)], notes=["careful"])
    page = render_html("Title", "meta", [section])
    assert "<th>model</th><th>score</th><th>n</th>" in page
    assert '<td class="number">0.50</td><td class="number">3</td>' in page and "<td>–</td>" in page
    assert "Demo &lt;one&gt;" in page and "<code>code</code>" in page and "iVBORw0KGgpmYWtl" in page
    markdown = render_markdown("Title", "meta", [section], {"f": "figures/f.png"})
    assert "| model | score | n |" in markdown and "| b\\|c | – | 4 |" in markdown
    assert "![F](figures/f.png)" in markdown and "- careful" in markdown


def test_check_out_refuses_a_folder_that_cannot_be_created_before_any_work(tmp_path):
    """``--out`` under a file is refused by the up-front check, not after every section has been computed."""
    from domains.report.build import check_out
    from shared.cli import InputError

    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(InputError, match="afile: is a file"):
        check_out(afile / "sub" / "report")
    check_out(tmp_path / "new" / "report")  # a folder that does not exist yet, under a writable one: fine


def test_ecology_section_scores_setar_and_agrees_with_the_model_card():
    """SETAR, the lynx's strongest classical anchor (scored in the card), is in the table; the shipped model's
    and the baselines' scores are the card's zhang2003 figures."""
    from domains.report import ecology

    section = ecology.section({"ecology_epochs": 20, "seed": 0})
    table = section.tables[0].frame
    assert "setar" in table.index and table.loc["setar", "MSE"] < table.loc["ar2", "MSE"]
    best = table.drop(index="gated")["MSE"].idxmin()
    assert f"({best})" in section.figures[0].caption
    card = json.loads(ecology.SHIPPED.with_suffix(".json").read_text())["metrics"]["zhang2003_1921_1934"]
    for name in set(card) & set(table.index):
        assert table.loc[name, "MSE"] == pytest.approx(card[name]["mse"], rel=1e-6), name
        assert table.loc[name, "CRPS"] == pytest.approx(card[name]["crps"], rel=0.05), name


def test_churn_section_agrees_with_the_card_and_its_notes_fit_the_model(monkeypatch, tmp_path):
    """In-sample scores equal the card's; notes end with one period; without weights no note speaks of a
    shipped model."""
    from domains.report import churn

    section = churn.section({})  # the shipped weights and their card are part of the project
    card = json.loads(churn.SHIPPED.with_suffix(".json").read_text())["metrics_on_training_data"]
    scores = section.tables[0].frame
    for name in ("gated", "coxph", "km"):
        assert scores.loc[name, "Harrell C"] == pytest.approx(card[name]["c_index"], abs=1e-6), name
        assert scores.loc[name, "integrated Brier"] == pytest.approx(card[name]["ibs"], abs=1e-6), name
    assert not any(note.endswith("..") for note in section.notes), section.notes
    monkeypatch.setattr(churn, "SHIPPED", tmp_path / "absent.keras")
    section = churn.section({})
    assert not section.shipped and "No shipped model" in section.model
    assert list(section.tables[0].frame.index) == ["coxph", "km"]
    assert not any("shipped model" in note for note in section.notes), section.notes


def test_seed_out_of_range_is_refused_before_any_work(tmp_path):
    result = cli("report", "--seed", "-1", "--out", tmp_path / "r")
    assert result.returncode == 2 and "argument --seed:" in result.stderr and not (tmp_path / "r").exists()


def test_importing_the_report_leaves_the_matplotlib_backend_alone_and_the_command_line_picks_agg(tmp_path):
    """A library import must not switch a notebook's backend (``inline``) to Agg; the command line does, as it
    writes files only."""
    script = """if True:
        import importlib, matplotlib
        matplotlib.use("svg")
        import domains.report.build as build
        for name in ("document", *build.SECTIONS):
            importlib.import_module(f"domains.report.{name}")
        print(matplotlib.get_backend())
        import domains.__main__ as command
        build.build_report = lambda *args, **kwargs: {"html": "r.html", "markdown": "r.md", "seconds": 0}
        command.main(["report", "--out", %r])
        print(matplotlib.get_backend())
    """ % str(tmp_path / "r")
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "svg" and result.stdout.split()[-1].lower() == "agg", result.stdout
