import { useEffect, useState, type ComponentType } from 'react';
import type { AppInfo } from '../../shared/contract';
import { call, errorMessage } from './lib/ipc-client';
import { DEFAULT_REFRESH_MS, useHealthStore } from './features/health/store';
import { AuditView } from './features/audit/components/AuditView';
import { BackupsView } from './features/backups/components/BackupsView';
import { ComplianceView } from './features/compliance/components/ComplianceView';
import { EnrolmentView } from './features/enrolment';
import { HealthView } from './features/health/components/HealthView';
import { IncidentView } from './features/incident/components/IncidentView';
import { ProfilesView } from './features/profiles/components/ProfilesView';
import { RotationView } from './features/rotation/components/RotationView';
import { ProfileSwitcher } from './features/profiles/components/ProfileSwitcher';
import { EnvironmentBadge } from './features/profiles/components/EnvironmentBadge';
import { ENVIRONMENT_STYLE } from '../../shared/profiles/environments';
import { activeProfile, useProfilesStore } from './features/profiles/store';
import { ExpiryBanner } from './features/session/components/ExpiryBanner';
import { SessionBadge } from './features/session/components/SessionBadge';
import { SignInForm } from './features/session/components/SignInForm';
import { useSessionStore } from './features/session/store';
import { TenantsView } from './features/tenants/components/TenantsView';
import { useNavigation, type ViewId } from './lib/navigation';

interface ViewProps {
  refreshMs: number;
}

// Only views that exist get a nav entry; add one here when a feature lands.
// Health works signed out (seal status and break-glass unseal need no token).
const VIEWS: { id: ViewId; label: string; component: ComponentType<ViewProps>; needsSession: boolean }[] = [
  { id: 'health', label: 'Health', component: HealthView, needsSession: false },
  { id: 'connections', label: 'Connections', component: ProfilesView, needsSession: false },
  { id: 'tenants', label: 'Tenants', component: TenantsView, needsSession: true },
  // Offline review of stored and imported events works signed out; the live stream needs a session.
  { id: 'audit', label: 'Audit', component: AuditView, needsSession: false },
  { id: 'backups', label: 'Backups', component: BackupsView, needsSession: true },
  { id: 'rotation', label: 'Rotation', component: RotationView, needsSession: true },
  // The listing works from the audit store; the rotation itself needs a session (checked in main).
  { id: 'incident', label: 'Incident', component: IncidentView, needsSession: false },
  { id: 'compliance', label: 'Compliance', component: ComplianceView, needsSession: false },
  { id: 'enrolment', label: 'Two-factor', component: EnrolmentView, needsSession: true },
  // Until the tenant details view mounts ViewCredentialsButton, a minimal entry point (issue 6).
];

/** The harness may shorten polling for tests (?refreshMs=); the Electron app never does. */
function refreshInterval(info: AppInfo | null): number {
  if (info?.shell !== 'harness') return DEFAULT_REFRESH_MS;
  const raw = Number(new URLSearchParams(window.location.search).get('refreshMs'));
  return Number.isFinite(raw) && raw >= 250 ? raw : DEFAULT_REFRESH_MS;
}

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const active = useNavigation((s) => s.view);
  const setActive = useNavigation((s) => s.go);
  const [signInOpen, setSignInOpen] = useState(false);
  const session = useSessionStore((s) => s.info);
  const resume = useSessionStore((s) => s.resume);
  const listen = useSessionStore((s) => s.listen);

  useEffect(() => {
    call('app:info').then(setInfo, (err: unknown) => setInfoError(errorMessage(err)));
    void resume();
    return listen();
  }, [resume, listen]);

  // Every view follows the active profile: the header address, and a fresh health check on a switch.
  // Signing in or out changes what the dashboard may show: refresh it at once, not at the next poll.
  const activeId = useProfilesStore((s) => s.activeId);
  const cluster = useProfilesStore((s) => activeProfile(s));
  const activeAddress = cluster?.address;
  const signedIn = session?.signedIn ?? false;
  useEffect(() => {
    if (activeId) void useHealthStore.getState().refresh();
  }, [activeId, signedIn]);

  useEffect(() => {
    if (signedIn) setSignInOpen(false);
  }, [signedIn]);

  const view = VIEWS.find((v) => v.id === active) ?? VIEWS[0]!;
  const View = view.component;
  const showSignIn = session !== null && !signedIn && (signInOpen || view.needsSession);

  return (
    <div className="shell">
      {/* The cluster every view shows, always: its name on its environment's colour. */}
      <header className={`app-header${cluster ? ` env-${ENVIRONMENT_STYLE[cluster.environment].colour}-frame` : ''}`} data-environment={cluster?.environment}>
        <span className="product" data-testid="product-name">
          Vault Console
        </span>
        <span className="active-cluster" data-testid="active-cluster" aria-label={cluster ? `Cluster ${cluster.name}, ${ENVIRONMENT_STYLE[cluster.environment].label}` : 'Cluster loading'}>
          {cluster ? (
            <>
              <strong data-testid="active-cluster-name">{cluster.name}</strong> <EnvironmentBadge environment={cluster.environment} testId="active-cluster-environment" />
            </>
          ) : (
            '…'
          )}
        </span>
        <span className="vault-address" data-testid="vault-address" title="Vault address">
          {activeAddress ?? (info ? info.vaultAddress : infoError ? 'Address unavailable' : '…')}
        </span>
        {info && (
          <span className="muted app-version" data-testid="app-version">
            v{info.version}
          </span>
        )}
        <ProfileSwitcher />
        <SessionBadge onSignIn={() => setSignInOpen(true)} />
      </header>
      <nav className="app-nav" aria-label="Views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <button
                type="button"
                className={v.id === active ? 'nav-item active' : 'nav-item'}
                aria-current={v.id === active ? 'page' : undefined}
                onClick={() => setActive(v.id)}
                data-testid={`nav-${v.id}`}
              >
                {v.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="app-main">
        <ExpiryBanner />
        {showSignIn && <SignInForm />}
        {/* Wait for app:info so the polling interval is decided once. */}
        {(info || infoError) && !(showSignIn && view.needsSession) && <View refreshMs={refreshInterval(info)} />}
      </main>
    </div>
  );
}
