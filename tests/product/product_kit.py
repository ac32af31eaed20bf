"""Helpers of the cross-domain product tests (imported by the test modules; see conftest.py): every domain's
command line called in-process or in a subprocess, and small valid inputs of each kind that the tests break."""

import gzip
import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from shared.cli import run

ROOT = Path(__file__).resolve().parents[2]
#: Warning categories Python's default filters do not print (so a user never sees them either).
HIDDEN_BY_DEFAULT = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def call(capsys, domain, *args):
    """Runs ``python -m domains.<domain> args`` in-process through :func:`shared.cli.run`:
    ``(exit code, stdout, stderr)`` (stderr as the user would see it from Python). A dotted ``domain`` names
    the module itself (``shared.distribute``)."""
    module = domain if "." in domain else f"domains.{domain}"
    main = importlib.import_module(f"{module}.__main__" if module.startswith("domains.") else module).main
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(SystemExit) as exited:
            run(main, [str(a) for a in args])
    out, err = capsys.readouterr()
    shown = [w for w in caught if not issubclass(w.category, HIDDEN_BY_DEFAULT)]  # what python -m would print
    err += "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in shown)
    return exited.value.code, out, err


def cli(module, *args, env=None, timeout=300):
    """Runs ``python -m <module> args`` in a fresh interpreter from the project root."""
    return _python(["-m", module, *map(str, args)], env, timeout)


def script(source, *args, env=None, timeout=300):
    """Runs ``python -c <source> args`` in a fresh interpreter from the project root."""
    return _python(["-c", source, *map(str, args)], env, timeout)


def _python(arguments, env, timeout):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "TF_NUM_INTRAOP_THREADS": "1",
           "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1", **(env or {})}
    env.pop("GATED_DEBUG", None)
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=timeout)


def user_lines(stderr):
    """The non-empty lines of ``stderr``: all the command's own (``shared.cli.import_tensorflow`` holds back
    TensorFlow's start-up notices, so none is left out here)."""
    return [line for line in stderr.splitlines() if line]


# --- valid inputs of every kind -----------------------------------------------------------------------------

def dna(length, seed=0):
    """A random ``ACGT`` string."""
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), length))


def fasta_text():
    return ">c1 a small contig\n" + dna(600) + "\n"


def genbank_text():
    """A GenBank record of 600 bases with two CDS (written by Biopython)."""
    import io

    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import FeatureLocation, SeqFeature
    from Bio.SeqRecord import SeqRecord

    sequence = "ATG" + dna(84, seed=1).replace("TAA", "TTT").replace("TAG", "TTT").replace("TGA", "TTT") + "TAA"
    sequence += dna(600 - len(sequence), seed=2)
    record = SeqRecord(Seq(sequence), id="c1", annotations={"molecule_type": "DNA", "topology": "linear"})
    record.features.append(SeqFeature(FeatureLocation(0, 90, 1), type="CDS", qualifiers={"locus_tag": ["g1"]}))
    handle = io.StringIO()
    SeqIO.write(record, handle, "genbank")
    return handle.getvalue()


GFF3 = "##gff-version 3\nc1\tsrc\tCDS\t1\t90\t.\t+\t0\tID=g1\n"
TABLE = "text\tlabel\na fine film\t1\na dull film\t0\n"
TREES = "(3 (2 A) (3 (3 good) (2 film)))\n(1 (2 A) (1 (1 dull) (2 film)))\n"
LINES = "a fine film\nnot good at all\n"


def ecology_csv(rows=30):
    lynx = [269, 321, 585, 871, 1475, 2821, 3928, 5943, 4950, 2577, 523, 98, 184, 279, 409, 2285, 2685, 3409,
            1824, 409, 151, 45, 68, 213, 546, 1033, 2129, 2536, 957, 361]
    return "series_id,time,value\n" + "".join(f"lynx,{1821 + i},{lynx[i % 30]}\n" for i in range(rows))


def churn_csv():
    rows = ["customer_id,date,number_of_cds,dollar_value"]
    for customer in range(1, 21):
        rows.append(f"{customer},1997-01-{customer:02d},1,{10 + customer}.5")
        rows.append(f"{customer},1997-0{2 + customer % 6}-15,2,{20 + customer}.0")
        if customer % 3:
            rows.append(f"{customer},1997-11-{customer:02d},1,12.0")
    return "\n".join(rows) + "\n"


def gz(text):
    return gzip.compress(text.encode() if isinstance(text, str) else text, mtime=0)


GARBAGE = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes() + b"\x00\xff\xfe"
