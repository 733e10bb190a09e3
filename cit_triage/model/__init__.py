"""The model: features of an analyzed call, the calibrated classifier, its files, card and training."""
