import type { Services } from '../services/container';
import type { Handlers } from './types';

type EvidenceChannels = 'evidence:export' | 'evidence:public-key' | 'evidence:export-public-key' | 'evidence:verify';

export function evidenceHandlers({ evidence }: Services): Pick<Handlers, EvidenceChannels> {
  return {
    'evidence:export': async ({ filter, name }) => evidence.exportQuery(filter, name ? { name } : {}),
    'evidence:public-key': async () => evidence.publicKey(),
    'evidence:export-public-key': async () => evidence.exportPublicKey(),
    'evidence:verify': async ({ pack, publicKey }) => {
      const { manifest: _m, ...r } = await evidence.verify(pack, publicKey ?? null);
      return r;
    },
  };
}
