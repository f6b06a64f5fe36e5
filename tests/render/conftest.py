"""Render tier: Plan -> files. The patchers on WSO2's real stock files (../shared/upstream),
the setup SQL and schema plan (run against real servers where marked), the tree's README,
digests and check script."""
