"""Facts of the labeling guide derived from the concepts found in a call."""
