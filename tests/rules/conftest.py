"""Rules tier: `check` over trees held in memory and on disk, each rule by a mutation that
breaks it, and the fast paths compared with parsing every file."""
