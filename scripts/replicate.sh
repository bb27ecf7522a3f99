#!/usr/bin/env bash
# Keeps a copy of a hall's three buckets on a second MinIO with MinIO's own bucket replication
# (docs/OPERATIONS.md). Safe to run again: what is already set up is left as it is.
#
#   scripts/replicate.sh FROM TO [BUCKET_PREFIX]
#   scripts/replicate.sh --stop FROM [BUCKET_PREFIX]     remove the rule again (failing back)
#
# FROM and TO are mc aliases (`mc alias set hall https://minio.hall:9000 KEY`, or the variable
# MC_HOST_hall=https://KEY:SECRET@minio.hall:9000); FROM's key needs the rights to set a
# bucket's remote target and replication (MinIO's root user has them), TO's to make buckets and
# write replicas. BUCKET_PREFIX is the hall's --bucket-prefix (default onewindow). $MC names
# the mc binary (default: mc on the PATH).
#
# For each bucket: the copy is made with versioning, and the archive's with object lock (it
# cannot be added to a bucket later); FROM's inbox and work buckets get versioning, which
# replication needs (the archive has it already, through object lock); then a rule replicates
# every new version, delete markers, retention and legal holds, and the objects that were there
# before; a resync sends those at once instead of in the scanner's own time. Permanent deletes
# of versions are not replicated: the copy is a backup.
set -euo pipefail

MC=${MC:-mc}
rule=onewindow-copy
usage() { sed -n '2,12p' "$0" >&2; exit 2; }

if [[ ${1:-} == --stop ]]; then
  (($# == 2 || $# == 3)) || usage
  from=$2 prefix=${3:-onewindow}
  for role in inbox work archive; do
    config=$("$MC" replicate export "$from/$prefix-$role" 2>/dev/null || true)
    grep -q "\"$rule\"" <<<"$config" || continue
    # MinIO keeps no replication configuration without a rule: the last one goes with --all.
    if (($(grep -o '"ID":' <<<"$config" | wc -l) > 1)); then
      "$MC" replicate rm --id "$rule" "$from/$prefix-$role" >/dev/null
    else
      "$MC" replicate rm --all --force "$from/$prefix-$role" >/dev/null
    fi
    echo "replicate: $from/$prefix-$role no longer replicates"
  done
  exit 0
fi
(($# == 2 || $# == 3)) || usage
from=$1 to=$2 prefix=${3:-onewindow}

for role in inbox work archive; do
  bucket="$prefix-$role"
  if ! "$MC" stat "$from/$bucket" >/dev/null 2>&1; then
    echo "replicate: $from has no bucket $bucket: start onewindow against it once (it makes the buckets) or check the prefix" >&2
    exit 1
  fi
  if [[ $role == archive ]]; then
    "$MC" mb --ignore-existing --with-lock "$to/$bucket" >/dev/null
    # A copy made earlier by hand without object lock would take the documents without
    # their retention: refuse it rather than replicate into it.
    if ! "$MC" retention info --default "$to/$bucket" >/dev/null 2>&1; then
      echo "replicate: $to/$bucket exists without object lock; remove it (it must be empty) and run again" >&2
      exit 1
    fi
  else
    "$MC" mb --ignore-existing --with-versioning "$to/$bucket" >/dev/null
    "$MC" version enable "$from/$bucket" >/dev/null
  fi
  if "$MC" replicate export "$from/$bucket" 2>/dev/null | grep -q "\"$rule\""; then
    # To point it at another copy, run with --stop first.
    echo "replicate: $from/$bucket already has the rule $rule; left as it is"
  else
    "$MC" replicate add "$from/$bucket" --remote-bucket "$to/$bucket" --id "$rule" --priority 1 \
      --replicate "existing-objects,delete-marker" >/dev/null
    echo "replicate: $from/$bucket now replicates to $to/$bucket"
  fi
  arn=$("$MC" replicate export "$from/$bucket" | grep -o 'arn:minio:replication:[^"]*' | head -1)
  "$MC" replicate resync start "$from/$bucket" --remote-bucket "$arn" >/dev/null
done
echo "replicate: done; 'onewindow replica check' says when the copy is current"
