// What other features mount (the tenant details view): self-contained buttons with their dialogs.
export { RotateNowButton } from './components/RotateNowButton';
export { EmergencyResetButton } from './components/EmergencyResetButton';
// The once-shown new API key (incident response rotates API keys one by one and shows it here).
export { NewApiKeyPanel } from './components/NewApiKeyPanel';
export { useApiKeyStore } from './api-key-store';
export { RotateFilterButton } from './components/RotateFilterButton';
