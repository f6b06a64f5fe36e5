"""The wizard's own fuzzer: hypothesis over the answers schema, the presets, sessions and
manifests (`make fuzz`; a bounded run is part of `make test`, tests/core/test_fuzz.py)."""
