"""Adapters of front-door: MongoDB repositories, Kafka publishers."""
