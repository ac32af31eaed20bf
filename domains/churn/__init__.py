"""Churn as survival analysis: a GatedLSTM over weekly customer histories gives a survival curve per customer.

Modules: ``data`` (event logs, weekly sequences, survival targets, static tables), ``model`` (the discrete-time
logistic-hazard network, S(t), expected time, risk, ``explain``), ``train``, ``baselines`` (Kaplan-Meier,
lifelines CoxPH on RFM aggregates), ``evaluate`` (Harrell's and time-dependent C, IPCW integrated Brier
score, calibration, paired bootstrap), ``simulate`` (weekly customers with a known hazard, its oracle and the
Bayes observer), ``inputs`` (the command line's files read and checked before TensorFlow is imported),
``pipelines`` (transaction logs and static tables from file to scores, for the command line), ``cdnow_master``
(the CDNOW evaluation population, read out of the Lifetimes 0.11.3 wheel: the master file's customers outside the
bundled sample). The shipped model is ``weights/cdnow_gated.keras`` (its card, with command and measured figures,
``weights/cdnow_gated.json``); in Python, ``shared.safe_load.load_model("domains/churn/weights/cdnow_gated.keras")``
loads it (``safe_mode=True``, uncompiled: its layers are registered by importing ``model``, which that loader does).
Command line: ``python -m domains.churn {train,evaluate,predict}``.
"""
