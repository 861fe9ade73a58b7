"""Adapters of gateway: MongoDB repositories, Kafka publishers."""
