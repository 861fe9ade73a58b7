"""Operations tooling for the hub: ``hubctl``.

``hubctl dlq list | show | replay`` lets a person see what was dead-lettered,
why and by whom, and replay what a fix has made acceptable, without ever
printing a payload or pushing a record past the sharing policy.
"""
