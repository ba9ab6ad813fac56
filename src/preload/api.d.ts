import type { VaultConsoleBridge } from '../shared/bridge';

declare global {
  interface Window {
    vaultConsole: VaultConsoleBridge;
  }
}

export {};
