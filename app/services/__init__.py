"""Use cases the window and the command line share: plain values in and out."""
