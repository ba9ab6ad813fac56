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
