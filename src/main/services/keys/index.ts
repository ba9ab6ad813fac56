// Pure key generation and encoding (node:crypto only), shared by the seeder and rotation.
export * from './ssh-ed25519';
export * from './dkim';
export * from './smtp-password';
export * from './api-key';
export { randomString, ALNUM } from './random-strings';
