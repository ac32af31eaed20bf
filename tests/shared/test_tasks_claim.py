"""The suite's central claim, with the runner's fixed seed and default step budget (about 1.5 CPU minutes):
at T = 200 the adding problem is solved by GatedLSTM (test MSE < 0.01) and not by a SimpleRNN."""

import pytest

from shared.tasks import RunConfig, run_task


@pytest.mark.slow
@pytest.mark.parametrize("layer,solved", [("gated_lstm", True), ("simple_rnn", False)])
def test_adding_T200_solved_by_gated_lstm_not_by_simple_rnn(layer, solved):
    result = run_task("adding", 200, layer, seed=0, config=RunConfig())
    print(f"{layer}: test MSE {result['metric']:.5f} (baseline {result['baseline']:.4f})")
    assert result["solved"] is solved
    if solved:
        assert result["metric"] < 0.01
    else:
        assert result["metric"] > 0.1  # no better than a constant guess (1/6)
