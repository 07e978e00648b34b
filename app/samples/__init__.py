"""Data shipped with Trellis: the fictional sample team for first-run exploration."""
