# vault-console-watch: the ops-host watcher (`vault-console watch`). Reads health, the
# audit device list and rotation METADATA (never a secret value), writes its own
# heartbeat, and reads the PagerDuty routing key when it is kept in Vault.
# __KV_MOUNT__ is replaced by the KV v2 mount name when the test server is configured.

path "sys/health" {
  capabilities = ["read"]
}
path "sys/seal-status" {
  capabilities = ["read"]
}
path "sys/leader" {
  capabilities = ["read"]
}
path "sys/ha-status" {
  capabilities = ["read"]
}
path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}
# Which file the audit device writes (the watcher tails it); listing needs sudo.
path "sys/audit" {
  capabilities = ["read", "sudo"]
}

# Rotation state for the metrics: metadata only.
path "__KV_MOUNT__/metadata" {
  capabilities = ["list"]
}
path "__KV_MOUNT__/metadata/*" {
  capabilities = ["read", "list"]
}
path "__KV_MOUNT__/detailed-metadata/*" {
  capabilities = ["list", "scan"]
}
path "__KV_MOUNT__-stamps/detailed-metadata" {
  capabilities = ["list"]
}
# No grant on __KV_MOUNT__/data/*: the watcher reads no secret value. (No explicit deny
# either: it would outrank the optional vault-console-watch-dkim policy's DKIM paths.)

# Deletion approvals whose content Vault's log holds HMAC'd are read back (status and
# path, no secret), so a delete with a valid approval does not page.
path "__KV_MOUNT__-approvals/data/requests/*" {
  capabilities = ["read"]
}

# Its heartbeat (one entry per watcher) and nothing else in the watch mount but the key.
path "__KV_MOUNT__-watch/data/watchers/*" {
  capabilities = ["create", "update", "read"]
}
path "__KV_MOUNT__-watch/metadata/watchers/*" {
  capabilities = ["create", "update", "read"]
}
path "__KV_MOUNT__-watch/data/pagerduty" {
  capabilities = ["read"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
