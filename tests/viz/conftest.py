"""Shared by every viz test: a figure function leaves pyplot and matplotlib's settings alone."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def no_global_side_effects():
    rc_before, figs_before = dict(mpl.rcParams), plt.get_fignums()
    yield
    assert plt.get_fignums() == figs_before  # nothing registered with pyplot, nothing shown
    assert dict(mpl.rcParams) == rc_before  # no global settings changed
