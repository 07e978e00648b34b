"""Drafting pipelines: choose the evidence, let the model word small pieces, check them."""
