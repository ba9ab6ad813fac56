// The harness keeps one Vault session for every page it serves, so a spec may start
// signed in by the one before it. Specs that need a signed-out start call this.
import { expect, type Page } from '@playwright/test';

export async function ensureSignedOut(page: Page): Promise<void> {
  await expect(page.getByTestId('session-sign-in').or(page.getByTestId('session-sign-out'))).toBeVisible();
  if (await page.getByTestId('session-sign-out').isVisible()) await page.getByTestId('session-sign-out').click();
  await expect(page.getByTestId('session-sign-in')).toBeVisible();
}
