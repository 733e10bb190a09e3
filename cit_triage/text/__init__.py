"""Text normalization: CAD shorthand, glued separators and spelling, with an offset map to the original."""
