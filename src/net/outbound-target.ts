/**
 * Where the worker may send a request whose URL somebody else chose (a customer's `monitoring.alertWebhookUrl`):
 * to the public internet only, never to the worker's own network (a metadata service that hands out cloud
 * credentials, an admin port on loopback, a database on a private address).
 *
 * An address is public only when ipaddr.js calls it `unicast`; an IPv4-mapped IPv6 address is judged as the IPv4
 * address it carries. Everything else the library names is refused: loopback, private (RFC 1918), carrier-grade NAT,
 * link-local (the cloud metadata address 169.254.169.254), unique-local IPv6 (AWS's fd00:ec2::254), unspecified,
 * broadcast, multicast, reserved and documentation ranges, and the IPv6 ranges that embed an IPv4 address
 * (6to4, Teredo, NAT64). URLs are read with the WHATWG parser undici uses, which already turns every IPv4 spelling
 * (2130706433, 0x7f.1, 0177.0.0.1, 127.1) into dotted decimal, so what is checked is what would be dialled.
 *
 * A host name is checked twice: where the URL is accepted (src/onboarding/input.ts, a friendly early refusal) and
 * when the request is sent, by the connection's own DNS lookup (`checkedLookup`): the addresses it checks are the
 * addresses the socket connects to, so a name that resolves elsewhere later (DNS rebinding) gains nothing.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface OutboundTargetPolicy {
  /** Only https URLs (production). */
  httpsOnly: boolean;
  /** Loopback addresses and `localhost` are allowed: development and tests, never production (config.ts). */
  allowLoopback: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (the system resolver unless a test gives another). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: ResolveHost = (hostname) => systemLookup(hostname, { all: true });

/** A request refused because of where it would go; its message is the rule it breaks. */
export class OutboundTargetRefused extends Error {
  constructor(readonly rule: string) {
    super(rule);
    this.name = 'OutboundTargetRefused';
  }
}

/** ipaddr.js's range names, as a rule reads them. */
const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  carrierGradeNat: 'a carrier-grade NAT (RFC 6598) address',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  uniqueLocal: 'a unique-local (private IPv6) address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking (reserved) address',
  deprecatedSiteLocal: 'a site-local (private IPv6) address',
  '6to4': 'a 6to4 address (it embeds an IPv4 address)',
  teredo: 'a Teredo address (it embeds an IPv4 address)',
  rfc6052: 'a NAT64 address (it embeds an IPv4 address)',
  rfc6145: 'an IPv4-translated address (it embeds an IPv4 address)',
};

/** Cloud metadata services by name: they resolve to link-local addresses inside a cloud, and to nothing outside. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);
/** Names for one's own network only (RFC 6761 localhost, RFC 8375 home.arpa, mDNS .local, cloud-internal zones). */
const INTERNAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa'];

/** What kind of refused address this is ("a loopback address 127.0.0.1"), or undefined when the worker may connect. */
export function refusedAddressKind(address: string, policy: Pick<OutboundTargetPolicy, 'allowLoopback'>): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `an address that is not an IP address: ${address}`;
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  return `${RANGE_NAMES[range] ?? `a ${range} address`} ${parsed.toString()}`;
}

const ONLY_PUBLIC = 'only public addresses are allowed';
const pointsTo = (kind: string) => `must not point to ${kind}: ${ONLY_PUBLIC}`;
const resolvesTo = (hostname: string, kind: string) => `must not name a host that resolves to a refused address: ${hostname} resolves to ${kind}; ${ONLY_PUBLIC}`;

/** The host of a WHATWG-parsed URL as an IP address, or undefined for a name. */
function literalAddress(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return ipaddr.IPv4.isValidFourPartDecimal(hostname) ? hostname : undefined;
}

/** Why a host name (not an IP address) is refused before it is even resolved. */
function nameProblem(hostname: string, policy: OutboundTargetPolicy): string | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return policy.allowLoopback ? undefined : `must not name localhost (${name}): ${ONLY_PUBLIC}`;
  }
  if (METADATA_NAMES.has(name)) return `must not name a cloud metadata service (${name})`;
  if (!name.includes('.')) return `must name a fully qualified public host, not ${name} (a single-label name resolves inside the worker's network)`;
  const internal = INTERNAL_SUFFIXES.find((suffix) => name.endsWith(suffix));
  if (internal) return `must name a public host, not one under ${internal} (${name})`;
  return undefined;
}

/**
 * Why this URL must not be called, judged without DNS: its scheme, a literal IP address, or a name that can only
 * be internal. Undefined when only the name's addresses remain to be checked (or none: the URL is an IP address).
 */
export function urlProblem(url: string, policy: OutboundTargetPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  if (parsed.protocol !== 'https:' && (policy.httpsOnly || parsed.protocol !== 'http:')) {
    return policy.httpsOnly ? 'must be an https URL in production' : 'must be an http(s) URL';
  }
  const address = literalAddress(parsed.hostname);
  if (address === undefined) return nameProblem(parsed.hostname, policy);
  const kind = refusedAddressKind(address, policy);
  return kind ? pointsTo(kind) : undefined;
}

/** Why any address this host name resolves to now is refused; undefined when all are public (or it is an IP). */
export async function resolvedProblem(url: string, policy: OutboundTargetPolicy, resolve: ResolveHost = systemResolve): Promise<string | undefined> {
  const { hostname } = new URL(url);
  if (literalAddress(hostname) !== undefined) return undefined;
  const addresses = await resolve(hostname);
  for (const { address } of addresses) {
    const kind = refusedAddressKind(address, policy);
    if (kind) return resolvesTo(hostname, kind);
  }
  return undefined;
}

/**
 * A DNS lookup for `net.connect` / undici's `connect.lookup` that refuses names resolving to any refused address
 * and hands the socket exactly the addresses it checked: the check and the connection cannot disagree.
 */
export function checkedLookup(policy: OutboundTargetPolicy, resolve: ResolveHost = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    const refuse = (rule: string) => callback(new OutboundTargetRefused(rule), '', 0);
    const problem = nameProblem(hostname, policy);
    if (problem) return refuse(problem);
    resolve(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        for (const { address } of all) {
          const kind = refusedAddressKind(address, policy);
          if (kind) return refuse(resolvesTo(hostname, kind));
        }
        const first = wanted[0];
        if (!first) {
          const err = Object.assign(new Error(`${hostname} has no IPv${String(options.family)} address`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        if (options.all) (callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, wanted);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** The refusal somewhere in an error's cause chain (undici may wrap the socket's error). */
export function findRefusal(err: unknown): OutboundTargetRefused | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundTargetRefused) return e;
  }
  return undefined;
}
