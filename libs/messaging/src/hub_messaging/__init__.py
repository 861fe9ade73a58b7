"""The consent-checked bus every service publishes and consumes through.

- ``Outbox``: events written in the same MongoDB transaction as the state
  change that causes them, checked against the sharing policy on the way in.
- ``OutboxRelay``: publishes the outbox to Kafka (acks=all, idempotent),
  in order, one relay per tenant database at a time.
- ``EventConsumer``: a FastStream batch subscriber that decodes, checks the
  policy for its recipient, minimises fields, de-duplicates by event id and
  runs handlers in one transaction per batch, committing offsets only after
  it; anything refused goes to the dead-letter topic with its reason.
"""
