"""The local development stack as plain processes (no Docker engine needed).

Apache Kafka (KRaft, from Maven Central jars), SecantusDB (MongoDB wire, on
WiredTiger), Zipkin, Prometheus and the hub's services, each started with its
state under one folder, stopped by PID, and waited on for real readiness.
"""

from hub_localstack.config import StackConfig
from hub_localstack.errors import StackError

__all__ = ["StackConfig", "StackError"]
