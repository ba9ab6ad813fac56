// Mounted by the audit view as its "Evidence" tab.
export { EvidencePanel } from './components/EvidencePanel';
