// Company-like tenant names. Some are deliberately non-ASCII (accents, Greek,
// Cyrillic, CJK) so search, sorting and rendering get exercised by seed data.
import type { Rng } from './rng';

const FIRST = [
  'Northwind', 'Bluebird', 'Cobalt', 'Evergreen', 'Granite', 'Harbor', 'Ironclad', 'Juniper', 'Keystone', 'Lighthouse',
  'Meridian', 'Nimbus', 'Orchard', 'Pinnacle', 'Quarry', 'Redwood', 'Silverline', 'Tidewater', 'Upland', 'Vantage',
  'Westbrook', 'Yellowstone', 'Zephyr', 'Alder', 'Brightwater', 'Cedar', 'Driftwood', 'Ember', 'Foxglove', 'Glacier',
  'Horizon', 'Indigo', 'Jade', 'Kestrel', 'Lumen', 'Maple', 'Nova', 'Oakridge', 'Polaris', 'Riverside',
];
const SECOND = [
  'Logistics', 'Media', 'Analytics', 'Outfitters', 'Dental', 'Legal', 'Realty', 'Software', 'Travel', 'Foods',
  'Health', 'Capital', 'Robotics', 'Studios', 'Supply', 'Energy', 'Consulting', 'Marketing', 'Labs', 'Mail',
];
const SUFFIX = ['Inc.', 'LLC', 'Ltd', 'GmbH', 'S.A.', 'B.V.', 'Pty Ltd', 'Co.', 'AG', 'Group'];

// Non-ASCII names, each used with a distinguishing suffix.
const UNICODE = [
  'Müller & Söhne GmbH', 'Société Générale de Courrier', 'Zürcher Versand AG', 'Łódź Poczta Sp. z o.o.',
  'São Paulo Envios Ltda', 'Ωmega Δίκτυα Α.Ε.', 'Почтовый Двор ООО', '株式会社さくら通信', '北京邮件科技有限公司',
  'Café Olé Distribución S.L.', 'Øresund Post ApS', 'Ærøskøbing Mail A/S', 'Čeština Zprávy s.r.o.', 'İstanbul Posta A.Ş.',
];

export function tenantName(rng: Rng): string {
  if (rng.chance(0.08)) return rng.pick(UNICODE);
  return `${rng.pick(FIRST)} ${rng.pick(SECOND)} ${rng.pick(SUFFIX)}`;
}

/** ASCII DNS label from a name; empty when nothing Latin survives (e.g. CJK). */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, 'o')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[łŁ]/g, 'l')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\b(inc|llc|ltd|gmbh|s\.?a|b\.?v|pty|co|ag|group|ooo|aps|a\/s|s\.?r\.?o|sp\. z o\.o|ltda|s\.?l|a\.?s)\b\.?/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}
