/** Reading a client's carrier: properties by name in any letter case, as NetServer's JSON binder does. */

export function pick(raw: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(raw, name)) return raw[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(raw)) if (key.toLowerCase() === lower) return raw[key];
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
