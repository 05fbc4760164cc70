"""The torch side of the estimators.

- :mod:`.cells`: recurrent cells without a fused torch kernel;
- :mod:`.registry`: the built-in units, one record each (builder, multiply-adds
  per step, description), and what names a unit;
- :mod:`.unit_checks`: building a unit and the rules a unit of the user's own
  must follow;
- :mod:`.tasks`: the networks of the memory task, the classifier and the
  language model, on one recurrent encoder;
- :mod:`.losses`: their training losses;
- :mod:`.batches`: mini-batches sliced from whole tensors;
- :mod:`.skorch_nets`: the skorch nets that train the networks;
- :mod:`.optimizers`, :mod:`.devices`, :mod:`.seeding`: what a fit is given and
  how it leaves torch's random state.
"""
