// What other features mount (the tenant details view): self-contained buttons with their dialogs.
export { RotateNowButton } from './components/RotateNowButton';
export { EmergencyResetButton } from './components/EmergencyResetButton';
export { RotateFilterButton } from './components/RotateFilterButton';
