import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, TemporalPinoLogger } from '../../src/logging.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

describe('logging', () => {
  it('redacts passwords, auth tokens and the X-Auth-Token header at any depth', async () => {
    const { lines, logger } = capture();
    logger.info(
      {
        customer: { password: 'SecurePass123!', auth_token: 'sk_live_abc' },
        request: { headers: { 'X-Auth-Token': 'partner-secret', 'X-Auth-ID': 'PA_1' } },
        nested: [{ authToken: 'tok-in-array' }],
        apiKey: 'temporal-key',
      },
      'calling vobiz',
    );
    await new Promise((r) => setImmediate(r));
    const line = lines.join('\n');
    for (const secret of ['SecurePass123!', 'sk_live_abc', 'partner-secret', 'tok-in-array', 'temporal-key']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('PA_1');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'calling vobiz' });
  });

  it('routes Temporal SDK logs through the same JSON logger', async () => {
    const { lines, logger } = capture();
    new TemporalPinoLogger(logger).warn('Activity failed', { sdkComponent: 'worker', password: 'x-secret' });
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'Activity failed', sdkComponent: 'worker', password: '[REDACTED]' });
  });

  it('keeps non-secret values untouched', () => {
    expect(redactSecrets({ stage: 'kyc', tokenCount: 3, attempt: 2 })).toEqual({ stage: 'kyc', tokenCount: 3, attempt: 2 });
  });
});
