#!/bin/sh
# Runs a command as one Kafka principal (compose): exports the KAFKA_* variables that
# the kafka-credentials service generated for it into the shared volume, then execs.
#   sh deploy/docker/kafka-env.sh <principal> <command> [args...]
set -eu
principal="$1"
shift
env_file="${HUB_SECURITY_DIR:-/security}/env/${principal}.env"
if [ ! -r "$env_file" ]; then
  echo "kafka-env: no Kafka credentials for ${principal} (${env_file})" >&2
  exit 1
fi
set -a
. "$env_file"
set +a
exec "$@"
