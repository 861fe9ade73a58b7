#!/bin/sh
# compose's one-shot kafka-storage (apache/kafka image): formats the broker's storage
# with a SCRAM-SHA-512 credential for every SCRAM principal, from what kafka-credentials
# generated into /security. Storage formatted with other credentials (an older,
# unauthenticated compose stack, or a volume of credentials generated anew) is formatted
# again: development data on Kafka only.
set -eu
data="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
kafka="${HUB_SECURITY_DIR:-/security}/kafka"
storage_tool="${KAFKA_STORAGE_TOOL:-/opt/kafka/bin/kafka-storage.sh}"
marker="$data/.hub-credentials.sha256"
if [ -f "$data/meta.properties" ] && ! cmp -s "$marker" "$kafka/credentials.sha256"; then
  echo "kafka-storage: formatted without these credentials; formatting it again (development data on Kafka is lost)"
  find "$data" -mindepth 1 -delete
fi
if [ ! -f "$data/meta.properties" ]; then
  # one --add-scram=SCRAM-SHA-512=[name=...,password=...] per line; xargs adds them
  xargs "$storage_tool" format --cluster-id="$(cat "$kafka/cluster-id")" \
    --config="$kafka/server.properties" < "$kafka/add-scram.args"
  cp "$kafka/credentials.sha256" "$marker"
fi
