"""Benchmark aggregator: domestic-accelerator-trained vs Nvidia-trained models."""

__version__ = "0.1.0"
