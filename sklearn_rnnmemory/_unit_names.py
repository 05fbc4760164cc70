"""The names of the built-in recurrent units, without loading torch.

:mod:`._torch.registry` holds a record per unit (its builder, cost, description)
and refuses to import unless its names are these, in this order; reading a
study back and the command line's help need only the names.
"""

#: The built-in units by name, in the order tables and figures list them.
UNIT_NAMES = (
    "rnn",
    "lstm",
    "gru",
    "mgu",
    "indrnn",
    "mingru",
    "minlstm",
    "peephole_lstm",
    "orthogonal",
    "lru",
    "esn",
)
