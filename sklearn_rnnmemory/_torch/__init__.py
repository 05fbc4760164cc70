"""The torch side of the estimators.

- :mod:`.cells`: recurrent cells without a fused torch kernel;
- :mod:`.recurrences`: the RNN, LSTM and GRU over whole windows with a
  hand-written backward, for one model or a stack of them;
- :mod:`.window_units`: torch's GRU and RNN, trained through those on the CPU;
- :mod:`.registry`: the built-in units, one record each (builder, multiply-adds
  per step, description), and what names a unit;
- :mod:`.unit_checks`: building a unit and the rules a unit of the user's own
  must follow;
- :mod:`.networks`: the networks of the memory task, the classifier and the
  language model, on one recurrent encoder;
- :mod:`.losses`: their training losses;
- :mod:`.batches`: mini-batches sliced from whole tensors, in an order that
  training continued later resumes;
- :mod:`.skorch_nets`: the skorch nets that train the networks;
- :mod:`.stacked_network`, :mod:`.stacked_seeds`: the seeds of one
  configuration as one network, and their training together;
- :mod:`.optimizers`, :mod:`.devices`, :mod:`.seeding`: what a fit is given and
  how it leaves torch's random state.
"""
