"""Run: the session (variables, plan cache, the step loop) that executes compiled plans."""
