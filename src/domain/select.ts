/**
 * `$select`: "comma separated list of properties to include in the result. Other fields are then nulled
 * out". Names match in any letter case; `RegisteredAssociate/Name` keeps one field of a nested object.
 */

export function parseSelect(select: string | undefined): string[][] | null {
  if (select === undefined || select.trim() === '') return null;
  return select
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.split('/').map((p) => p.toLowerCase()));
}

function selectInto(value: Record<string, unknown>, paths: string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const matching = paths.filter((p) => p[0] === lower);
    if (matching.length === 0) out[key] = null;
    else if (matching.some((p) => p.length === 1) || v === null || typeof v !== 'object' || Array.isArray(v)) out[key] = v;
    else
      out[key] = selectInto(
        v as Record<string, unknown>,
        matching.map((p) => p.slice(1)),
      );
  }
  return out;
}

/** The carrier with unselected fields nulled; keys starting with `_` (such as `_Links`) are kept. */
export function applySelect(carrier: Record<string, unknown>, paths: string[][] | null): Record<string, unknown> {
  if (paths === null) return carrier;
  const selected = selectInto(carrier, paths);
  for (const key of Object.keys(carrier)) if (key.startsWith('_')) selected[key] = carrier[key];
  return selected;
}
