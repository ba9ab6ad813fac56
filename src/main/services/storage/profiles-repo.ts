import type { SqlDatabase } from './database';
import type { ProfileEnvironment } from '../../../shared/profiles/environments';

export type { ProfileEnvironment };

export interface ProfileRow {
  id: string;
  name: string;
  address: string;
  caCertPem: string | null;
  minTls: 'TLSv1.2' | 'TLSv1.3';
  namespace: string | null;
  kvMount: string;
  /** Which environment the cluster is (the header's colour). */
  environment: ProfileEnvironment;
  createdAt: string;
  updatedAt: string;
}

interface DbRow {
  id: string;
  name: string;
  address: string;
  ca_cert_pem: string | null;
  min_tls: 'TLSv1.2' | 'TLSv1.3';
  namespace: string | null;
  kv_mount: string;
  environment: ProfileEnvironment;
  created_at: string;
  updated_at: string;
}

const fromDb = (r: DbRow): ProfileRow => ({
  id: r.id,
  name: r.name,
  address: r.address,
  caCertPem: r.ca_cert_pem,
  minTls: r.min_tls,
  namespace: r.namespace,
  kvMount: r.kv_mount,
  environment: r.environment,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ProfilesRepo {
  constructor(private readonly db: SqlDatabase) {}

  list(): ProfileRow[] {
    return (this.db.prepare('SELECT * FROM connection_profiles ORDER BY name COLLATE NOCASE').all() as DbRow[]).map(fromDb);
  }

  get(id: string): ProfileRow | undefined {
    const r = this.db.prepare('SELECT * FROM connection_profiles WHERE id = ?').get(id) as DbRow | undefined;
    return r && fromDb(r);
  }

  findByName(name: string): ProfileRow | undefined {
    const r = this.db.prepare('SELECT * FROM connection_profiles WHERE name = ? COLLATE NOCASE').get(name) as DbRow | undefined;
    return r && fromDb(r);
  }

  upsert(p: ProfileRow): void {
    this.db
      .prepare(
        `INSERT INTO connection_profiles (id, name, address, ca_cert_pem, min_tls, namespace, kv_mount, environment, created_at, updated_at)
         VALUES (@id, @name, @address, @caCertPem, @minTls, @namespace, @kvMount, @environment, @createdAt, @updatedAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, address = excluded.address, ca_cert_pem = excluded.ca_cert_pem,
           min_tls = excluded.min_tls, namespace = excluded.namespace, kv_mount = excluded.kv_mount, environment = excluded.environment,
           updated_at = excluded.updated_at`,
      )
      .run(p);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM connection_profiles WHERE id = ?').run(id).changes > 0;
  }
}
