/**
 * Reading hookd's settings (declared in setting-table.ts) from the environment: each parsed and checked, every
 * problem named at once. This is the only module that reads process.env (through loadConfig's argument).
 */
import { isCidr } from '../domain/target-url.js';
import { parseKey } from '../store/secret-box.js';
import { publicUrlProblem, readTlsFiles, trustProxyProblem } from './listener-settings.js';
import { type Kind, type Setting, SETTINGS } from './setting-table.js';

export { SETTINGS };

export type SettingName = keyof typeof SETTINGS;
type ValueOf<S> = S extends Setting<infer K> ? Setting<K>['default'] : never;
export type Config = { [N in SettingName]: ValueOf<(typeof SETTINGS)[N]> };

function parseOne(setting: Setting<Kind>, raw: string): { value?: unknown; error?: string } {
  switch (setting.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) return { error: `${setting.env} must be a whole number (got '${raw}')` };
      const n = Number(raw);
      if (setting.min !== undefined && n < setting.min) return { error: `${setting.env} must be at least ${setting.min} (got ${n})` };
      if (setting.max !== undefined && n > setting.max) return { error: `${setting.env} must be at most ${setting.max} (got ${n})` };
      return { value: n };
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return { value: true };
      if (['0', 'false', 'no', 'off', ''].includes(v)) return { value: false };
      return { error: `${setting.env} must be true or false (got '${raw}')` };
    }
    case 'list':
      return {
        value: raw
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== ''),
      };
    default:
      if (setting.choices && !setting.choices.includes(raw)) {
        return { error: `${setting.env} must be one of ${setting.choices.join(', ')} (got '${raw}')` };
      }
      return { value: raw };
  }
}

/** Reads every setting from `env`, overridden by `overrides`; lists every error at once. */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): { config: Config; errors: string[] } {
  const errors: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[SettingName, Setting<Kind>]>) {
    let raw = env[setting.env];
    for (const name of setting.fallback ?? []) if (raw === undefined || raw === '') raw = env[name];
    if (name in overrides) config[name] = overrides[name];
    else if (raw === undefined || raw === '') config[name] = setting.default;
    else {
      const parsed = parseOne(setting, raw);
      if (parsed.error) errors.push(parsed.error);
      else config[name] = parsed.value;
    }
  }
  const delays = (config.retryDelaysMs as string[]) ?? [];
  if (delays.some((d) => !/^\d+$/.test(d))) errors.push(`HOOKD_RETRY_DELAYS_MS must be whole milliseconds separated by commas`);
  const schemes = (config.signatureSchemes as string[]) ?? [];
  if (schemes.length === 0 || schemes.some((x) => x !== 'netserver' && x !== 'standard')) {
    errors.push(`HOOKD_SIGNATURE_SCHEMES must be netserver, standard or netserver,standard (got '${schemes.join(',')}')`);
  }
  for (const cidr of (config.allowedNetworks as string[]) ?? []) {
    if (!isCidr(cidr)) errors.push(`HOOKD_ALLOWED_NETWORKS must list networks such as 10.20.0.0/16 or fd00::/8 (got '${cidr}')`);
  }
  for (const entry of (config.trustProxy as string[]) ?? []) {
    const problem = trustProxyProblem(entry);
    if (problem) errors.push(`HOOKD_TRUST_PROXY ${problem}`);
  }
  for (const [env, url] of [
    ['HOOKD_HTTPS_PROXY', config.httpsProxy],
    ['HOOKD_HTTP_PROXY', config.httpProxy],
  ] as const) {
    if (typeof url === 'string' && url !== '' && !/^https?:\/\/[^/\s]+\/?$/i.test(url))
      errors.push(`${env} must be a proxy URL such as http://proxy.internal:3128`);
  }
  const publicUrl = publicUrlProblem((config.publicUrl as string) ?? '');
  if (publicUrl) errors.push(`HOOKD_PUBLIC_URL ${publicUrl}`);
  try {
    readTlsFiles((config.tlsCert as string) ?? '', (config.tlsKey as string) ?? '');
  } catch (e) {
    errors.push((e as Error).message);
  }
  const keys: Array<[string, string]> = [
    ['HOOKD_ENCRYPTION_KEY', (config.encryptionKey as string) ?? ''],
    ...((config.previousEncryptionKeys as string[]) ?? []).map((k): [string, string] => ['HOOKD_PREVIOUS_ENCRYPTION_KEYS', k]),
  ];
  for (const [env, key] of keys) {
    const parsed = key === '' ? null : parseKey(key);
    if (typeof parsed === 'string') errors.push(`${env} ${parsed}`);
  }
  return { config: config as Config, errors };
}

/** The effective settings for `hookd config`, secrets hidden. */
export function describeConfig(config: Config): Array<{ env: string; value: string; doc: string }> {
  return (Object.entries(SETTINGS) as Array<[SettingName, Setting<Kind>]>).map(([name, setting]) => {
    const value = config[name];
    const shown = Array.isArray(value) ? value.join(',') : String(value);
    return { env: setting.env, value: setting.secret && shown !== '' ? '(hidden)' : shown, doc: setting.doc };
  });
}
