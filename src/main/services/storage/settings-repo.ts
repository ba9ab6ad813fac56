import type { SqlDatabase } from './database';

/** Non-secret key/value settings (refresh intervals, last active profile, ...). */
export class SettingsRepo {
  constructor(private readonly db: SqlDatabase, private readonly now: () => Date = () => new Date()) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, value, this.now().toISOString());
  }
}
