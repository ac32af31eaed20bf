"""The report: every shipped model evaluated on the bundled datasets beside its baselines, as one page.

``python -m domains report [--out report/]`` writes ``report/report.html`` (self-contained: CSS inline,
figures as base64 PNG, nothing fetched) and ``report/report.md`` with ``report/figures/``. One module per
domain builds its :class:`~domains.report.document.Section` (``genomics``, ``sentiment``, ``ecology``,
``churn``); :mod:`domains.report.build` runs them and writes the files through the writers in
:mod:`domains.report.html` and :mod:`domains.report.markdown`. A domain whose weights are not shipped is shown
with its baselines only, and picks its model up once the weights file is there.
"""
