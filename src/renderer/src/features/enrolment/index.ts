// What other features mount: the enrolment panel (the reveal modal shows it when 2FA is missing).
export { EnrolmentPanel } from './components/EnrolmentPanel';
export { EnrolmentView } from './components/EnrolmentView';
