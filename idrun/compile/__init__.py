"""Compile: place every node, partition a step into per-device work with transfers, and
generate its step function (placement -> partition -> plan)."""
