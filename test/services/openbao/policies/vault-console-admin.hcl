# vault-console-admin: the console operator. __KV_MOUNT__ is replaced by the KV v2 mount
# name when the test server is configured (the mount name is configurable).

# Tenant secrets: values, metadata (rotation state lives in custom_metadata) and history.
path "__KV_MOUNT__/data/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "__KV_MOUNT__/metadata" {
  capabilities = ["list"]
}
path "__KV_MOUNT__/metadata/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "__KV_MOUNT__/subkeys/*" {
  capabilities = ["read"]
}
path "__KV_MOUNT__/delete/*" {
  capabilities = ["update"]
}
path "__KV_MOUNT__/undelete/*" {
  capabilities = ["update"]
}
path "__KV_MOUNT__/destroy/*" {
  capabilities = ["update"]
}
path "__KV_MOUNT__/config" {
  capabilities = ["read"]
}

# Health dashboard and seal management.
path "sys/health" {
  capabilities = ["read", "sudo"]
}
path "sys/metrics" {
  capabilities = ["read"]
}
path "sys/seal-status" {
  capabilities = ["read"]
}
path "sys/seal" {
  capabilities = ["update", "sudo"]
}
path "sys/unseal" {
  capabilities = ["update", "sudo"]
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
path "sys/storage/raft/configuration" {
  capabilities = ["read"]
}
path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}
path "sys/mounts" {
  capabilities = ["read"]
}
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# Second factor for reveals (docs/enrolment.md). 2FA keys live in Vault's TOTP engine as
# vault-console-e-<entity id>-<grant id>. Nobody creates or replaces their own: another
# admin creates it through an enrolment grant, response-wrapped (the wrap TTL is the
# grant's expiry, unwrapping is single-use, and an unwrapped creation is refused, so the
# granting admin never sees the seed). A phished password alone cannot enrol a factor.
path "totp/keys/vault-console-e-*" {
  capabilities = ["create", "update"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "72h"
}
path "totp/keys/vault-console-e-{{identity.entity.id}}-*" {
  capabilities = ["read"]
}
# Codes are validated by Vault, only against your own keys, never read: GET totp/code/<key>
# would mint a valid code.
path "totp/code/vault-console-e-{{identity.entity.id}}-*" {
  capabilities = ["update"]
}
# Enrolment grants: grants/<grantee entity>/<granter entity>. You write grants only under
# your own identity, never for yourself; you read (and unwrap) only the grants made for you.
path "__KV_MOUNT__-enrolment/data/grants/+/{{identity.entity.id}}" {
  capabilities = ["create", "update"]
}
path "__KV_MOUNT__-enrolment/data/grants/{{identity.entity.id}}/{{identity.entity.id}}" {
  capabilities = ["deny"]
}
path "__KV_MOUNT__-enrolment/data/grants/{{identity.entity.id}}/*" {
  capabilities = ["read"]
}
path "__KV_MOUNT__-enrolment/metadata/grants/{{identity.entity.id}}/" {
  capabilities = ["list"]
}
# Your active 2FA key, recorded after a valid code from the new authenticator.
path "__KV_MOUNT__-enrolment/data/active/{{identity.entity.id}}" {
  capabilities = ["create", "update", "read"]
}
# Granting names the other admin: find their identity, and your own (the userpass mount).
path "identity/lookup/entity" {
  capabilities = ["update"]
}
path "identity/entity/id/+" {
  capabilities = ["read"]
}

# Backup encryption.
path "transit/keys/vault-console-backup" {
  capabilities = ["read"]
}
path "transit/encrypt/vault-console-backup" {
  capabilities = ["update"]
}
path "transit/decrypt/vault-console-backup" {
  capabilities = ["update"]
}
path "transit/rewrap/vault-console-backup" {
  capabilities = ["update"]
}
path "transit/datakey/*" {
  capabilities = ["update"]
}

# The session's own token.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
path "auth/token/create" {
  # Short-lived child tokens for the reveal window; they inherit at most this policy set.
  capabilities = ["update"]
}

# Second-admin approval of tenant secret deletions (requests and approvals, check-and-set).
path "__KV_MOUNT__-approvals/data/requests/*" {
  capabilities = ["create", "read", "update"]
}
path "__KV_MOUNT__-approvals/metadata/requests" {
  capabilities = ["list"]
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
path "__KV_MOUNT__-stamps/metadata/*" {
  capabilities = ["create", "update", "read"]
}

# The ops-host watcher (docs/monitoring.md): read its heartbeats (Health view), and
# announce a break-glass seal with its incident id before sealing.
path "__KV_MOUNT__-watch/metadata/watchers" {
  capabilities = ["list"]
}
path "__KV_MOUNT__-watch/data/watchers/*" {
  capabilities = ["read"]
}
path "__KV_MOUNT__-watch/data/seal-intents/*" {
  capabilities = ["create", "update"]
}
