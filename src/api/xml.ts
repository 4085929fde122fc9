/**
 * XML bodies, in the shape of NetServer's carriers: one element per property, arrays as repeated
 * `<string>` (or `<item>`) children, objects as child elements. DOCTYPE (and with it entity expansion)
 * is refused outright.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { HookdError } from '../domain/errors.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const ARRAY_CHILDREN = ['string', 'item', 'int', 'Webhook', 'SignalEventItem'];

/** Empty elements mean null; an element whose children are all `<string>`s is an array. */
function normalize(value: unknown): unknown {
  if (value === '' || value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only && ARRAY_CHILDREN.includes(only[0])) {
    const v = only[1];
    return (Array.isArray(v) ? v : [v]).map(normalize);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, normalize(v)]));
}

/** Parses a document and returns the content of its root element. */
export function parseXml(text: string): unknown {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new HookdError('body_malformed', { format: 'XML', detail: 'DOCTYPE and ENTITY declarations are not allowed.' });
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new HookdError('body_malformed', { format: 'XML', detail: `${valid.err.msg} (line ${valid.err.line})` });
  }
  // The validator passes a few truncated documents (`<A/`) that the parser then throws on: still the sender's fault.
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new HookdError('body_malformed', { format: 'XML', detail: (e as Error).message });
  }
  const roots = Object.keys(doc);
  if (roots.length !== 1)
    throw new HookdError('body_malformed', { format: 'XML', detail: 'the document must have exactly one root element.' });
  const root = doc[roots[0] as string];
  return normalize(root);
}

const builder = new XMLBuilder({ format: false, suppressEmptyNode: true, processEntities: true });
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function toXmlTree(value: unknown): unknown {
  if (Array.isArray(value)) {
    const children = value.map(toXmlTree);
    const allStrings = value.every((v) => typeof v !== 'object' || v === null);
    return { [allStrings ? 'string' : 'item']: children };
  }
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[XML_NAME.test(k) ? k : `_${k.replace(/[^A-Za-z0-9._-]/g, '_')}`] = toXmlTree(v);
  }
  return out;
}

/** `<root>…</root>` with a declaration; lists become `<ArrayOfX><X>…</X></ArrayOfX>`. */
export function buildXml(root: string, value: unknown): string {
  let tree: unknown;
  if (Array.isArray(value)) {
    const item = root.replace(/^ArrayOf/, '');
    tree = { [root]: { [item]: value.map(toXmlTree) } };
  } else tree = { [root]: toXmlTree(value) };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(tree)}`;
}
