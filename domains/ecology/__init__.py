"""Population forecasting with gated memory: probabilistic forecasts of animal and plant abundance.

The LSTM's cell state carries the slowly drifting context (a carrying capacity the environment moves), the
forget gate is the environment's stability and the input gate admits new resources. Modules:

- :mod:`.data`: the tidy CSV loader (``series_id, time, value[, covariates]``), its validation and the log
  transform (none for a series already centred or differenced, one with negative values);
  :func:`.data.load_lynx` for the bundled Canadian lynx;
- :mod:`.simulate`: Ricker growth with a drifting carrying capacity, noise and a covariate;
- :mod:`.baselines`: naive, seasonal naive, mean, AR(p), Ricker and theta-logistic forecasters;
  :mod:`.classical`: AutoARIMA, AutoETS and Theta from statsforecast (the optional ``forecast`` extra);
- :mod:`.checks`: the checks of a series, its covariates and a horizon that every forecaster shares;
- :mod:`.model`, :mod:`.train`, :mod:`.forecaster`: the GatedForecaster (GatedLSTM, Gaussian head, direct
  horizons 1..10, optional frozen (threshold) AR(p) base, calibration on held-out final steps), per series or global;
  :mod:`.bases`: its frozen lag-window and direct AR bases; :mod:`.distributions`: the Gaussian predictive
  distributions every forecaster returns; :mod:`.plot`: the fan chart;
- :mod:`.evaluate`: the rolling-origin backtest and the Zhang (2003) lynx protocol;
- ``python -m domains.ecology {forecast,train,evaluate}``: the command line. ``forecast`` and ``evaluate`` train a
  model on the given data unless ``--model`` names one: ``lynx`` (``weights/lynx_1821_1920.keras``) or ``gpdd``
  (``weights/gpdd_global.keras``), each with its card beside it, or a ``.keras`` file written by ``train``.
"""
