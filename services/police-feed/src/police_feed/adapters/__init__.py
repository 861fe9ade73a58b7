"""Adapters of police-feed: MongoDB repositories, Kafka publishers."""
