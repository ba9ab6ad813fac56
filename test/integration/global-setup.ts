// Vitest globalSetup for the integration project: starts one real OpenBao and one real S3
// server for the whole run, hands their coordinates to the tests through a 0600 state
// file (VAULT_CONSOLE_TEST_STATE and `inject('servicesStatePath')`), and stops them after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startOpenBao, type OpenBaoInstance } from '../services/openbao/openbao';
import { startS3, type S3Instance } from '../services/s3/s3-server';
import { STATE_ENV, writeState, type ServicesState } from '../services/state';

declare module 'vitest' {
  export interface ProvidedContext {
    servicesStatePath: string;
  }
}

const log = (m: string) => process.stderr.write(`[test-services] ${m}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'vault-console-test-state-'));
  const statePath = join(stateDir, 'services.json');
  let bao: OpenBaoInstance | undefined;
  let s3: S3Instance | undefined;
  const keep = process.env.VAULT_CONSOLE_KEEP_TEST_DATA === '1';

  const teardown = async () => {
    await Promise.allSettled([bao?.stop({ removeData: !keep }), s3?.stop({ removeData: !keep })]);
    if (!keep) await rm(stateDir, { recursive: true, force: true });
    else log(`kept data: ${bao?.dataDir ?? '-'} ${s3?.dataDir ?? '-'} ${statePath}`);
  };

  try {
    const t0 = Date.now();
    // Start both at once: OpenBao's raft election dominates, S3 is ready in ~0.2 s.
    [bao, s3] = await Promise.all([startOpenBao(), startS3()]);
    log(`OpenBao ${bao.version} at ${bao.addr}, S3 at ${s3.endpoint} (ready in ${Date.now() - t0} ms)`);
    const state: ServicesState = {
      writtenAt: new Date().toISOString(),
      openbao: {
        addr: bao.addr,
        version: bao.version,
        rootToken: bao.rootToken,
        unsealKeys: bao.unsealKeys,
        threshold: bao.threshold,
        kvMount: bao.kvMount,
        users: bao.users,
        auditLogPath: bao.auditLogPath,
        dataDir: bao.dataDir,
        configPath: bao.configPath,
        pid: bao.pid,
      },
      s3: {
        endpoint: s3.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        dataDir: s3.dataDir,
        versioning: s3.versioning,
        pid: s3.pid,
      },
    };
    await writeState(state, statePath);
  } catch (err) {
    await teardown();
    throw err;
  }

  process.env[STATE_ENV] = statePath;
  project.provide('servicesStatePath', statePath);
  return teardown;
}
