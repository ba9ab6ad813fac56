// What other features mount: the SMTP section's button (it brings its own modal).
export { ViewCredentialsButton } from './components/ViewCredentialsButton';
export { RevealModal } from './components/RevealModal';
export { useRevealStore } from './store';
