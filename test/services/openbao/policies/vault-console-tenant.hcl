# vault-console-tenant: a tenant's own identity reads its own secrets and nothing else.
# The tenant id comes from the identity entity's metadata, set by the operator, so a
# tenant cannot choose it. __KV_MOUNT__ is replaced by the KV v2 mount name.
path "__KV_MOUNT__/data/{{identity.entity.metadata.tenant_id}}/*" {
  capabilities = ["read"]
}
path "__KV_MOUNT__/metadata/{{identity.entity.metadata.tenant_id}}/*" {
  capabilities = ["read", "list"]
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
