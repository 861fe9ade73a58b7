"""Adapters of early-help: MongoDB repositories, Kafka publishers."""
