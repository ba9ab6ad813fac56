import { EnrolmentPanel } from './EnrolmentPanel';
import { GrantForm } from './GrantForm';

/** Two-factor: your own factor, and granting one to another admin. */
export function EnrolmentView() {
  return (
    <div className="view" data-testid="enrolment-view">
      <div className="view-header">
        <h1>Two-factor</h1>
      </div>
      <section className="card" aria-labelledby="enrolment-own">
        <h2 id="enrolment-own">Your second factor</h2>
        <EnrolmentPanel />
      </section>
      <GrantForm />
    </div>
  );
}
