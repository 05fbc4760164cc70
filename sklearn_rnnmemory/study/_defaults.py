"""The default study: its grid and training settings, the defaults of
:func:`~sklearn_rnnmemory.study.run_study`.

Plain values, kept apart from the running of a study (torch), so that the
command line shows them in its help without loading torch.
"""

from .._plateau_rule import PLATEAU_TOL

#: The cap on every configuration's optimizer updates: each trains until its
#: validation capacity levels off (the plateau rule, plateau_tol), or to this
#: many updates. The same for every training length (a pass over windows of k
#: steps would give long lengths 1 / k as many); chosen by measurement on the
#: default study (docs: user guide).
DEFAULT_MAX_STEPS = 8000
#: Windows per update in a study, unless estimator_params say otherwise: at
#: the same cost per update, 32 windows gave more memory than 64 or 16.
DEFAULT_BATCH_SIZE = 32
#: Adam's learning rate per unit in a study, unless estimator_params set
#: ``lr``; other units take the estimator's default. Measured on the default
#: study (docs: user guide): 0.03 brings the LSTM and the GRU to their plateau
#: in about half the updates 0.01 needs, and makes the vanilla RNN collapse;
#: the vanilla RNN learns most at 0.003 (at 8,000 updates, k = 20: 25.3 tokens
#: against 15.7 at 0.01; k = 40: 22.3 against 0).
DEFAULT_LEARNING_RATES = {"rnn": 0.003, "lstm": 0.03, "gru": 0.03}
#: The study's default grid.
DEFAULT_UNITS = ("rnn", "lstm", "gru")
DEFAULT_SEQ_LENS = (5, 10, 20, 40, 80)
DEFAULT_HIDDEN_SIZES = (32,)
DEFAULT_SEEDS = (0, 1, 2)
#: The plateau rule's tolerance in a study (run_study's ``plateau_tol``).
DEFAULT_PLATEAU_TOL = PLATEAU_TOL
