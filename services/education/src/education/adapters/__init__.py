"""Adapters of education: MongoDB repositories, Kafka publishers."""
