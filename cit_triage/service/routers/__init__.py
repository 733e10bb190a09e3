"""One router per noun: suggestions, eido, model, health."""
