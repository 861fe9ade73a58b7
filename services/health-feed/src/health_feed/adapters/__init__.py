"""Adapters of health-feed: MongoDB repositories, Kafka publishers."""
