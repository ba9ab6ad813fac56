// Which view is on screen, so one view can send the user to another with context
// (SMTP "View Audit Trail" → the audit view filtered to that credential; Health
// "View Backup History" → the backups view).
import { create } from 'zustand';

export type ViewId = 'health' | 'connections' | 'tenants' | 'audit' | 'backups' | 'rotation' | 'incident' | 'compliance' | 'enrolment';

interface NavigationState {
  view: ViewId;
  go(view: ViewId): void;
}

export const useNavigation = create<NavigationState>()((set) => ({
  view: 'health',
  go(view) {
    set({ view });
  },
}));
