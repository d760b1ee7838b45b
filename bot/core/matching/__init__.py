"""Matching a question against the FAQ: text normalisation, the engine, its limits, their fitting and evaluation."""
