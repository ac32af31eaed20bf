"""Annotating a directory of genomes in parallel processes: ``predict DIR/ --out OUTDIR/ --jobs N``.

Every genome file in ``DIR`` (FASTA or GenBank, plain or gzip, recognised by its name: ``.fa .fasta .fna .ffn
.fas .gb .gbk .gbff .genbank``, each optionally ``.gz``) gets ``OUTDIR/<name>.gff3`` and ``OUTDIR/<name>.faa``
(``<name>``: the file name less those suffixes). The genomes are shared out to ``jobs`` worker processes, each
of which loads the model once and runs TensorFlow on its share of the CPU cores (with ``jobs=1``, one after
another in the calling process). Results are reported as each
genome finishes, not at the end.

Nothing is lost on a restart: both outputs of a genome are written atomically (temporary file, then rename),
the ``.faa`` first and the ``.gff3`` last, so a genome whose ``.gff3`` exists is finished and is skipped when
the command is run again (``force`` redoes it). A genome that is bad input (not DNA, empty, ...) is reported
and the others go on.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from shared.cli import InputError, import_tensorflow

GENOME_SUFFIXES = (".fa", ".fasta", ".fna", ".ffn", ".fas", ".gb", ".gbk", ".gbff", ".genbank")

_MODEL = None  # the worker process's model, loaded once by _init_worker


@dataclass(frozen=True)
class Outcome:
    """What happened to one genome: ``status`` is ``"done"``, ``"skipped"`` (already finished) or
    ``"failed"``; ``genes``/``records``/``bases`` counted when done; ``seconds`` of wall time in the worker;
    ``error`` the one-line reason when failed (without the path: ``genome`` names it)."""

    genome: str
    status: str
    genes: int = 0
    records: int = 0
    bases: int = 0
    seconds: float = 0.0
    error: str = ""


def genome_name(path):
    """``path``'s file name less its genome (and ``.gz``) suffix, or ``None`` if it is not a genome file."""
    name = Path(path).name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    for suffix in GENOME_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return None


def find_genomes(directory):
    """The genome files of ``directory`` (not recursive), sorted by name, as ``(path, name)`` pairs.

    Raises:
        InputError: ``directory`` holds no genome files, or two files would give the same output name.
    """
    found = {}
    for path in sorted(Path(directory).iterdir()):
        name = genome_name(path)
        if name is None or not path.is_file():
            continue
        if name in found:
            raise InputError(f"{directory}: {found[name].name} and {path.name} would both write {name}.gff3")
        found[name] = path
    if not found:
        raise InputError(f"{directory}: no genome files (FASTA/GenBank named {', '.join(GENOME_SUFFIXES)}, or .gz)")
    return [(path, name) for name, path in found.items()]


def annotate_directory(directory, out, model_path, jobs=1, force=False, translation_table=None, mask=False,
                       report=print):
    """Annotates every genome in ``directory`` into ``out`` (see the module docstring).

    Args:
        directory: the folder of genomes. out: the output folder (created if needed).
        model_path: the ``.keras`` gene finder. jobs: worker processes.
        force: redo genomes whose outputs exist. translation_table: genetic code for all genomes (default, per
            genome as ``predict`` does: the one a GenBank's CDS state in ``/transl_table``, else detected by
            :func:`domains.genomics.predict.predict_genes`).
        mask: no gene across a run of 50 or more N (``predict --mask``).
        report: called with each :class:`Outcome` as soon as it is known.

    Returns:
        The list of :class:`Outcome`, in the order they finished.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory (with a directory of genomes, --out is a directory)")
    genomes = find_genomes(directory)  # refuses a folder without genomes, or two with one output name
    out.mkdir(parents=True, exist_ok=True)  # only then: a refused run leaves no empty folder behind
    outcomes, pending = [], []
    for path, name in genomes:
        if (out / f"{name}.gff3").exists() and not force:
            outcomes.append(Outcome(str(path), "skipped"))
            report(outcomes[-1])
        else:
            pending.append((path, name))
    if not pending:
        return outcomes
    jobs = max(1, min(jobs, len(pending)))
    if jobs == 1:  # no worker processes: one after another, here
        from domains.genomics.model import load_gene_model

        model = load_gene_model(model_path)
        for path, name in pending:
            outcomes.append(_annotate_one(str(path), str(out / name), translation_table, force, mask, model))
            report(outcomes[-1])
        return outcomes
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_init_worker,
                             initargs=(str(model_path), threads)) as pool:
        futures = [pool.submit(_annotate_one, str(path), str(out / name), translation_table, force, mask)
                   for path, name in pending]
        for future in as_completed(futures):
            outcomes.append(future.result())
            report(outcomes[-1])
    return outcomes


def summary_line(outcomes, seconds):
    """One line: genomes done / skipped / failed, genes and bases annotated, and the wall time."""
    count = {status: sum(o.status == status for o in outcomes) for status in ("done", "skipped", "failed")}
    genes = sum(o.genes for o in outcomes)
    megabases = sum(o.bases for o in outcomes) / 1e6
    return (f"{count['done']} genomes annotated ({genes} genes, {megabases:.2f} Mb), {count['skipped']} already done, "
            f"{count['failed']} failed, in {seconds:.1f} s")


def _init_worker(model_path, threads):
    """Worker start-up: TensorFlow limited to ``threads`` cores (set before it is imported), the model loaded."""
    global _MODEL
    for variable in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"):
        os.environ[variable] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import_tensorflow()  # its start-up notices held back, as in the parent
    from domains.genomics.model import load_gene_model

    _MODEL = load_gene_model(model_path)


def _annotate_one(path, stem, translation_table, force, mask=False, model=None):
    """Calls genes on one genome with ``model`` (default: the worker's) and writes ``<stem>.faa`` then
    ``<stem>.gff3``."""
    from domains.genomics.data import apply_code, read_genome
    from domains.genomics.gff3 import write_gff3, write_proteins
    from domains.genomics.predict import predict_genes

    started = time.perf_counter()
    try:
        contigs = read_genome(path, translation_table=translation_table, use_annotation=False)
        code = apply_code(contigs, path, translation_table)  # given, else a GenBank's /transl_table
    except (InputError, OSError) as error:
        return Outcome(path, "failed", error=_reason(error, path))
    genes = predict_genes(model or _MODEL, contigs, detect_code=code is None, mask=mask)
    # an .faa without its .gff3 is left from an interrupted run: replace it
    write_proteins(f"{stem}.faa", contigs, genes, force=True)
    write_gff3(f"{stem}.gff3", contigs, genes, force=force)
    return Outcome(path, "done", len(genes), len(contigs), sum(len(c) for c in contigs),
                   time.perf_counter() - started)


def _reason(error, path):
    """The one-line reason of a genome's ``error``, without the path (the :class:`Outcome` names the genome):
    ``"record 'p1' does not look like DNA (...)"``, ``"Permission denied"``."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = " ".join(str(error).split())
    return text.removeprefix(f"{path}: ")
