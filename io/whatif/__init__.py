"""What-if models and the history: the units a model is fitted on, and the registry of models."""
