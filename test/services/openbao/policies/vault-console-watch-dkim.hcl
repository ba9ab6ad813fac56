# vault-console-watch-dkim: optional, beside vault-console-watch, for the watcher's DKIM
# DNS re-check (issue 16; docs/monitoring.md). Reading a DKIM key's public halves (the
# selector and TXT it compares with DNS) needs read on the key's data, which holds its
# private key too: grant it to the ops host only where the DNS states should be kept
# fresh without an open console.
path "__KV_MOUNT__/data/+/dkim/*" {
  capabilities = ["read"]
}
# The DNS state goes into the key's custom_metadata (KV v2 metadata PATCH, which cannot
# touch a secret value). Vault ranks vault-console-watch's "metadata/*" above a narrower
# "metadata/+/dkim/*" (more + segments lose), so patch is granted on the same glob, where
# the two policies' capabilities add up: the add-on may patch any entry's custom_metadata.
path "__KV_MOUNT__/metadata/*" {
  capabilities = ["read", "list", "patch"]
}
