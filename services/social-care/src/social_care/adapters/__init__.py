"""Adapters of social-care: MongoDB repositories, Kafka publishers."""
