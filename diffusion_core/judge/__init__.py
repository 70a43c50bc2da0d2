"""Act 4, how we judge a model: an independent classifier, quality metrics, the evaluation, the model card.

``classifier`` is the judge (a small CNN trained only on real images); ``metrics`` computes Fréchet distances and
exact nearest neighbours; ``evaluate`` measures a shipped model against its bars; ``model_card`` writes
``assets/<model>_card.md`` from a training run and its evaluation.
"""
