"""Pure numerics over arrays: every analysis of the report, returning small frozen dataclasses."""
