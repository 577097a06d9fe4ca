"""The hostile review as a test suite: each attack it found, replayed, must now fail."""
