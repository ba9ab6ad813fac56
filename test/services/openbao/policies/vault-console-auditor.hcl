# vault-console-auditor: sees inventory, rotation status and audit, never a secret value.
# __KV_MOUNT__ is replaced by the KV v2 mount name when the test server is configured.

# Metadata only: rotation state is in custom_metadata, so status needs no data read.
path "__KV_MOUNT__/metadata" {
  capabilities = ["list"]
}
path "__KV_MOUNT__/metadata/*" {
  capabilities = ["read", "list"]
}
# Explicit deny wins over any other policy attached to the same token.
path "__KV_MOUNT__/data/*" {
  capabilities = ["deny"]
}
path "__KV_MOUNT__/subkeys/*" {
  capabilities = ["deny"]
}

path "sys/health" {
  capabilities = ["read"]
}
path "sys/metrics" {
  capabilities = ["read"]
}
path "sys/seal-status" {
  capabilities = ["read"]
}
path "sys/leader" {
  capabilities = ["read"]
}
# Health dashboard: the HA nodes and raft autopilot health (read-only).
path "sys/ha-status" {
  capabilities = ["read"]
}
path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}
# Listing audit devices needs sudo in Vault/OpenBao; it is still read-only.
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/capabilities-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# Inventory sync: OpenBao's detailed-metadata scan returns a tenant's metadata (never
# data) in one request, instead of a LIST plus one read per secret.
path "__KV_MOUNT__/detailed-metadata/*" {
  capabilities = ["list", "scan"]
}

# Tenant change stamps (docs/vault-layout.md): one metadata-only leaf per tenant, which
# every console write bumps; the inventory sync lists them all, 1,000 per request.
path "__KV_MOUNT__-stamps/detailed-metadata" {
  capabilities = ["list"]
}

# The ops-host watcher's heartbeats (Health view), read-only.
path "__KV_MOUNT__-watch/metadata/watchers" {
  capabilities = ["list"]
}
path "__KV_MOUNT__-watch/data/watchers/*" {
  capabilities = ["read"]
}
