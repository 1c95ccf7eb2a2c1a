// Where the worker may send a customer's alert: the address rules (ipaddr.js) on every spelling of an internal
// address, and the delivery itself over real sockets: a name that resolves to loopback is refused by the
// connection's own lookup (no request reaches the receiver), a redirect is not followed, and with the development
// allowance a loopback receiver gets its alert.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertDispatcher, postAlert, type AlertDelivery } from '../../src/activities/alerts.js';
import { OutboundTargetRefused, refusedAddressKind, resolvedProblem, urlProblem, type ResolveHost } from '../../src/net/outbound-target.js';

const strict = { httpsOnly: true, allowLoopback: false };
const development = { httpsOnly: false, allowLoopback: false };

describe('alert webhook targets', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:8787/internal-admin/reset', 'a loopback address 127.0.0.1'],
    ['loopback, decimal', 'http://2130706433/', 'a loopback address 127.0.0.1'],
    ['loopback, octal', 'http://0177.0.0.1/', 'a loopback address 127.0.0.1'],
    ['loopback, hex', 'http://0x7f.0.0.1/', 'a loopback address 127.0.0.1'],
    ['loopback, short', 'http://127.1/', 'a loopback address 127.0.0.1'],
    ['loopback, IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/', 'a loopback address 127.0.0.1'],
    ['loopback IPv6', 'http://[::1]:9000/', 'a loopback address ::1'],
    ['metadata', 'http://169.254.169.254/latest/meta-data/', 'a link-local address (where cloud metadata services live) 169.254.169.254'],
    ['metadata, IPv4-mapped hex', 'http://[::ffff:a9fe:a9fe]/', 'a link-local address (where cloud metadata services live) 169.254.169.254'],
    ['AWS metadata IPv6', 'http://[fd00:ec2::254]/', 'a unique-local (private IPv6) address fd00:ec2::254'],
    ['RFC 1918', 'http://10.0.0.5/', 'a private (RFC 1918) address 10.0.0.5'],
    ['RFC 1918, decimal', 'http://3232235777/', 'a private (RFC 1918) address 192.168.1.1'],
    ['CGNAT', 'http://100.100.100.200/', 'a carrier-grade NAT (RFC 6598) address 100.100.100.200'],
    ['IPv6 link-local', 'http://[fe80::1]/', 'a link-local address (where cloud metadata services live) fe80::1'],
    ['unspecified', 'http://0.0.0.0:8787/', 'the unspecified address 0.0.0.0'],
    ['unspecified IPv6', 'http://[::]/', 'the unspecified address ::'],
    ['multicast', 'http://224.0.0.251/', 'a multicast address 224.0.0.251'],
    ['broadcast', 'http://255.255.255.255/', 'the broadcast address 255.255.255.255'],
    ['reserved', 'http://240.0.0.1/', 'a reserved address 240.0.0.1'],
    ['6to4 wrapping loopback', 'http://[2002:7f00:1::1]/', 'a 6to4 address (it embeds an IPv4 address) 2002:7f00:1::1'],
  ])('%s (%s) is refused, naming the kind of address', (_name, url, kind) => {
    expect(urlProblem(url, development)).toBe(`must not point to ${kind}: only public addresses are allowed`);
    expect(urlProblem(url.replace('http:', 'https:'), strict)).toBe(`must not point to ${kind}: only public addresses are allowed`);
  });

  it.each([
    ['http://localhost:8787/', 'must not name localhost (localhost): only public addresses are allowed'],
    ['http://LOCALHOST./', 'must not name localhost (localhost): only public addresses are allowed'],
    ['http://api.localhost/', 'must not name localhost (api.localhost): only public addresses are allowed'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'must not name a cloud metadata service (metadata.google.internal)'],
    ['http://metadata/', 'must not name a cloud metadata service (metadata)'],
    ['http://intranet:8080/', "must name a fully qualified public host, not intranet (a single-label name resolves inside the worker's network)"],
    ['http://db.internal/', 'must name a public host, not one under .internal (db.internal)'],
    ['http://printer.local/', 'must name a public host, not one under .local (printer.local)'],
  ])('the name %s is refused before any lookup', (url, rule) => {
    expect(urlProblem(url, development)).toBe(rule);
  });

  it('public addresses and names pass; http only outside production; other schemes never', () => {
    expect(urlProblem('https://93.184.216.34/hook', strict)).toBeUndefined();
    expect(urlProblem('https://[2606:4700:4700::1111]/hook', strict)).toBeUndefined();
    expect(urlProblem('https://alerts.partner.example/hook?token=x', strict)).toBeUndefined();
    expect(urlProblem('http://alerts.partner.example/hook', strict)).toBe('must be an https URL in production');
    expect(urlProblem('http://alerts.partner.example/hook', development)).toBeUndefined();
    expect(urlProblem('ftp://alerts.partner.example/', development)).toBe('must be an http(s) URL');
    expect(urlProblem('not a url', development)).toBe('must be an http(s) URL');
  });

  it('the development allowance admits loopback only: private and metadata addresses stay refused', () => {
    const loopbackAllowed = { httpsOnly: false, allowLoopback: true };
    expect(urlProblem('http://127.0.0.1:4000/alerts', loopbackAllowed)).toBeUndefined();
    expect(urlProblem('http://[::1]:4000/alerts', loopbackAllowed)).toBeUndefined();
    expect(urlProblem('http://localhost:4000/alerts', loopbackAllowed)).toBeUndefined();
    expect(urlProblem('http://169.254.169.254/', loopbackAllowed)).toMatch(/link-local/);
    expect(urlProblem('http://192.168.0.10/', loopbackAllowed)).toMatch(/private/);
    expect(refusedAddressKind('8.8.8.8', loopbackAllowed)).toBeUndefined();
  });

  it('a name is refused when any address it resolves to is refused', async () => {
    const resolveTo =
      (...addresses: string[]): ResolveHost =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    expect(await resolvedProblem('https://alerts.partner.example/', strict, resolveTo('93.184.216.34'))).toBeUndefined();
    expect(await resolvedProblem('https://alerts.partner.example/', strict, resolveTo('93.184.216.34', '10.0.0.7'))).toBe(
      'must not name a host that resolves to a refused address: alerts.partner.example resolves to a private (RFC 1918) address 10.0.0.7; only public addresses are allowed',
    );
    expect(await resolvedProblem('https://alerts.partner.example/', strict, resolveTo('::ffff:169.254.169.254'))).toMatch(/link-local address \(where cloud metadata services live\) 169\.254\.169\.254/);
  });
});

describe('sending an alert', () => {
  let receiver: Server;
  let port: number;
  const received: IncomingMessage[] = [];
  /** A second receiver: where a redirect points. It must never be called. */
  let inward: Server;
  let inwardPort: number;
  const inwardHits: IncomingMessage[] = [];

  const listen = (server: Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      received.push(req);
      req.resume();
      if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${inwardPort}/internal-admin` }).end();
      else res.writeHead(204).end();
    });
    inward = createServer((req, res) => {
      inwardHits.push(req);
      res.writeHead(200).end();
    });
    [port, inwardPort] = await Promise.all([listen(receiver), listen(inward)]);
  });
  afterEach(() => {
    received.length = 0;
    inwardHits.length = 0;
  });
  afterAll(async () => {
    await Promise.all([receiver, inward].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A test DNS: every name is the loopback receiver (what a rebinding or hostile record would do). */
  const toLoopback: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
  const send = async (url: string, delivery: AlertDelivery) => {
    const dispatcher = alertDispatcher(delivery);
    try {
      await postAlert(url, { kind: 'stalled' }, dispatcher, delivery);
    } finally {
      await dispatcher.close();
    }
  };

  it('a name that resolves to loopback is refused by the connection lookup: the receiver gets nothing', async () => {
    const delivery = { policy: development, timeoutMs: 2_000, resolve: toLoopback };
    const err = await send(`http://alerts.partner.example:${port}/hook`, delivery).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundTargetRefused);
    expect((err as Error).message).toBe(
      'must not name a host that resolves to a refused address: alerts.partner.example resolves to a loopback address 127.0.0.1; only public addresses are allowed',
    );
    expect(received).toHaveLength(0);
  });

  it('literal internal addresses are refused before a connection is made', async () => {
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://2130706433:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      await expect(send(url, { policy: development, timeoutMs: 2_000 })).rejects.toBeInstanceOf(OutboundTargetRefused);
    }
    expect(received).toHaveLength(0);
  });

  it('with the development allowance the same name reaches the loopback receiver (the check above is the only difference)', async () => {
    await send(`http://alerts.partner.example:${port}/hook`, { policy: { httpsOnly: false, allowLoopback: true }, timeoutMs: 2_000, resolve: toLoopback });
    expect(received.map((r) => [r.method, r.url, r.headers.host])).toEqual([['POST', '/hook', `alerts.partner.example:${port}`]]);
  });

  it('a redirect is refused, never followed', async () => {
    const err = await send(`http://localhost:${port}/redirect`, { policy: { httpsOnly: false, allowLoopback: true }, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundTargetRefused);
    expect((err as Error).message).toBe('answered 302 (a redirect): redirects are not followed');
    expect(received).toHaveLength(1);
    expect(inwardHits).toHaveLength(0);
  });
});
