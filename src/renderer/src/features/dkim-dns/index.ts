export { DkimDnsSection } from './components/DkimDnsSection';
export { DkimResolversForm } from './components/DkimResolversForm';
export { JobDnsRecords } from './components/JobDnsRecords';
