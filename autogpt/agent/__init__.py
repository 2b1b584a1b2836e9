"""The agent: the loop over cycles, one cycle, authorization, stuck detection, budget."""
