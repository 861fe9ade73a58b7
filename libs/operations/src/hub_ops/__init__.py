"""Operations tooling for the hub: ``hubctl``.

``hubctl dlq list | show | replay`` lets a person see what was dead-lettered,
why and by whom, and replay what a fix has made acceptable, without ever
printing a payload or pushing a record past the sharing policy. ``hubctl acl
plan | apply`` keeps Kafka's ACLs what the sharing policy and the topic
catalogue imply (``hub_ops.access``), and ``hubctl kafka rotate-password``
gives a principal a new SCRAM password.
"""
