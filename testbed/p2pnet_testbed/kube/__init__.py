"""Kubernetes helpers for tests: a real, local control plane (see ``controlplane``)."""
