// Builds src/domain/so-timezone-table.ts: SuperOffice's time-zone codes (country codes, and country-region
// codes for countries whose regions keep different clocks) mapped to IANA zones, from the public tz data
// (zone.tab, iso3166.tab). Run it when the tz data changes: node scripts/build-timezones.mjs [zoneinfo dir]
import { readFileSync, writeFileSync } from 'node:fs';

const dir = process.argv[2] ?? '/usr/share/zoneinfo';
const rows = (file) =>
  readFileSync(`${dir}/${file}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'));

const countries = new Map(rows('iso3166.tab').map(([code, name]) => [code, name]));
const zonesOf = new Map();
for (const [code, , zone] of rows('zone.tab')) {
  if (!zonesOf.has(code)) zonesOf.set(code, []);
  zonesOf.get(code).push(zone);
}

// A country with several zones is named by its capital's or most populous zone.
const principal = {
  AQ: 'Antarctica/McMurdo',
  AR: 'America/Argentina/Buenos_Aires',
  AU: 'Australia/Sydney',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CD: 'Africa/Kinshasa',
  CL: 'America/Santiago',
  CN: 'Asia/Shanghai',
  CY: 'Asia/Nicosia',
  DE: 'Europe/Berlin',
  EC: 'America/Guayaquil',
  ES: 'Europe/Madrid',
  FM: 'Pacific/Pohnpei',
  GL: 'America/Nuuk',
  ID: 'Asia/Jakarta',
  KI: 'Pacific/Tarawa',
  KZ: 'Asia/Almaty',
  MH: 'Pacific/Majuro',
  MN: 'Asia/Ulaanbaatar',
  MX: 'America/Mexico_City',
  MY: 'Asia/Kuala_Lumpur',
  NZ: 'Pacific/Auckland',
  PF: 'Pacific/Tahiti',
  PG: 'Pacific/Port_Moresby',
  PS: 'Asia/Gaza',
  PT: 'Europe/Lisbon',
  RU: 'Europe/Moscow',
  UA: 'Europe/Kyiv',
  UM: 'Pacific/Wake',
  US: 'America/New_York',
  UZ: 'Asia/Tashkent',
};

// Country-region codes (ISO 3166-2) for the countries SuperOffice splits by region.
const regions = {
  US: {
    AL: ['Alabama', 'America/Chicago'],
    AK: ['Alaska', 'America/Anchorage'],
    AZ: ['Arizona', 'America/Phoenix'],
    AR: ['Arkansas', 'America/Chicago'],
    CA: ['California', 'America/Los_Angeles'],
    CO: ['Colorado', 'America/Denver'],
    CT: ['Connecticut', 'America/New_York'],
    DE: ['Delaware', 'America/New_York'],
    DC: ['District of Columbia', 'America/New_York'],
    FL: ['Florida', 'America/New_York'],
    GA: ['Georgia', 'America/New_York'],
    HI: ['Hawaii', 'Pacific/Honolulu'],
    ID: ['Idaho', 'America/Boise'],
    IL: ['Illinois', 'America/Chicago'],
    IN: ['Indiana', 'America/Indiana/Indianapolis'],
    IA: ['Iowa', 'America/Chicago'],
    KS: ['Kansas', 'America/Chicago'],
    KY: ['Kentucky', 'America/Kentucky/Louisville'],
    LA: ['Louisiana', 'America/Chicago'],
    ME: ['Maine', 'America/New_York'],
    MD: ['Maryland', 'America/New_York'],
    MA: ['Massachusetts', 'America/New_York'],
    MI: ['Michigan', 'America/Detroit'],
    MN: ['Minnesota', 'America/Chicago'],
    MS: ['Mississippi', 'America/Chicago'],
    MO: ['Missouri', 'America/Chicago'],
    MT: ['Montana', 'America/Denver'],
    NE: ['Nebraska', 'America/Chicago'],
    NV: ['Nevada', 'America/Los_Angeles'],
    NH: ['New Hampshire', 'America/New_York'],
    NJ: ['New Jersey', 'America/New_York'],
    NM: ['New Mexico', 'America/Denver'],
    NY: ['New York', 'America/New_York'],
    NC: ['North Carolina', 'America/New_York'],
    ND: ['North Dakota', 'America/Chicago'],
    OH: ['Ohio', 'America/New_York'],
    OK: ['Oklahoma', 'America/Chicago'],
    OR: ['Oregon', 'America/Los_Angeles'],
    PA: ['Pennsylvania', 'America/New_York'],
    RI: ['Rhode Island', 'America/New_York'],
    SC: ['South Carolina', 'America/New_York'],
    SD: ['South Dakota', 'America/Chicago'],
    TN: ['Tennessee', 'America/Chicago'],
    TX: ['Texas', 'America/Chicago'],
    UT: ['Utah', 'America/Denver'],
    VT: ['Vermont', 'America/New_York'],
    VA: ['Virginia', 'America/New_York'],
    WA: ['Washington', 'America/Los_Angeles'],
    WV: ['West Virginia', 'America/New_York'],
    WI: ['Wisconsin', 'America/Chicago'],
    WY: ['Wyoming', 'America/Denver'],
  },
  CA: {
    AB: ['Alberta', 'America/Edmonton'],
    BC: ['British Columbia', 'America/Vancouver'],
    MB: ['Manitoba', 'America/Winnipeg'],
    NB: ['New Brunswick', 'America/Moncton'],
    NL: ['Newfoundland and Labrador', 'America/St_Johns'],
    NS: ['Nova Scotia', 'America/Halifax'],
    NT: ['Northwest Territories', 'America/Inuvik'],
    NU: ['Nunavut', 'America/Iqaluit'],
    ON: ['Ontario', 'America/Toronto'],
    PE: ['Prince Edward Island', 'America/Halifax'],
    QC: ['Quebec', 'America/Toronto'],
    SK: ['Saskatchewan', 'America/Regina'],
    YT: ['Yukon', 'America/Whitehorse'],
  },
  AU: {
    ACT: ['Capital Territory', 'Australia/Sydney'],
    NSW: ['New South Wales', 'Australia/Sydney'],
    NT: ['Northern Territory', 'Australia/Darwin'],
    QLD: ['Queensland', 'Australia/Brisbane'],
    SA: ['South Australia', 'Australia/Adelaide'],
    TAS: ['Tasmania', 'Australia/Hobart'],
    VIC: ['Victoria', 'Australia/Melbourne'],
    WA: ['Western Australia', 'Australia/Perth'],
  },
};

const entries = [['UTC', 'UTC/GMT', '', 'UTC']];
for (const [code, zones] of [...zonesOf].sort(([a], [b]) => a.localeCompare(b))) {
  const zone = zones.length === 1 ? zones[0] : principal[code];
  if (!zone) throw new Error(`${code} has ${zones.length} zones (${zones.join(', ')}): name its principal one`);
  entries.push([code, countries.get(code) ?? code, '', zone]);
  for (const [r, [name, z]] of Object.entries(regions[code] ?? {})) entries.push([`${code}-${r}`, countries.get(code), name, z]);
}
for (const [, , , zone] of entries) new Intl.DateTimeFormat('en', { timeZone: zone }); // throws on a zone this runtime lacks

const lines = entries.map(
  ([code, country, region, zone], i) =>
    `  [${i + 1}, ${JSON.stringify(code)}, ${JSON.stringify(country)}, ${JSON.stringify(region)}, ${JSON.stringify(zone)}],`,
);
writeFileSync(
  'src/domain/so-timezone-table.ts',
  `// Generated by scripts/build-timezones.mjs from the tz database's zone.tab and iso3166.tab: do not edit.
/** SuperOffice time-zone codes: [id, code, country, region, IANA zone]. */
export const SO_TIMEZONES: ReadonlyArray<readonly [number, string, string, string, string]> = [
${lines.join('\n')}
];
`,
);
console.log(`${entries.length} time-zone codes written to src/domain/so-timezone-table.ts`);
