"""Core tier: the answers, the model, the plan's decisions, the draft and workflow both front
ends share, sessions, the prompt mode, the CLI, the fleet commands, and the layering itself.
Tests that need a database server or an sshd here are marked by tests/conftest.py."""
