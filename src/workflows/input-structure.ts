/**
 * The workflow's own check of its input: structure only (the right types in the right places), plus the frozen
 * defaults for fields a hand-started input left out. The rules (lengths, ranges, formats, lower bounds on
 * intervals) live at the edges, in the zod schema of input.ts: tightening a rule there must never make a running
 * customer's history fail to replay, which it would if the workflow re-validated with it. Pure and dependency-free,
 * so the workflow bundle carries no validation library.
 */
import { INPUT_DEFAULTS, INPUT_VERSION } from './defaults.js';
import { DURATION_PATTERN } from './duration.js';
import type { FieldProblem, OnboardingInput, TrunkSettings } from './input-types.js';

type Raw = Record<string, unknown>;

class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, rule: string): void {
    this.list.push({ field, rule });
  }
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function section(p: Problems, raw: Raw, field: string, required: boolean): Raw {
  const v = raw[field];
  if (v === undefined && !required) return {};
  if (!isObject(v)) {
    p.add(field, v === undefined ? 'is required' : 'must be an object');
    return {};
  }
  return v;
}

function str(p: Problems, obj: Raw, path: string, key: string, fallback?: string): string {
  const v = obj[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string') p.add(`${path}${key}`, v === undefined ? 'is required' : 'must be a string');
  return typeof v === 'string' ? v : '';
}

function optStr(p: Problems, obj: Raw, path: string, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') p.add(`${path}${key}`, 'must be a string');
  return typeof v === 'string' ? v : undefined;
}

function num(p: Problems, obj: Raw, path: string, key: string, fallback: number): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) p.add(`${path}${key}`, 'must be a number');
  return typeof v === 'number' ? v : fallback;
}

function bool(p: Problems, obj: Raw, path: string, key: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') p.add(`${path}${key}`, 'must be true or false');
  return typeof v === 'boolean' ? v : fallback;
}

function duration(p: Problems, obj: Raw, path: string, key: string, fallback: string): string {
  const v = str(p, obj, path, key, fallback);
  if (v && !DURATION_PATTERN.test(v.trim())) p.add(`${path}${key}`, 'must be a duration such as "30 minutes" or "4h"');
  return v.trim();
}

/** An amount as a number or a decimal string, to the canonical 5-place spelling ("500" → "500.00000"). */
function amount(p: Problems, obj: Raw, path: string, key: string, fallback?: string): string {
  const v = obj[key] ?? fallback;
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (text === undefined || !/^\d{1,12}(\.\d{1,5})?$/.test(text)) {
    p.add(`${path}${key}`, v === undefined ? 'is required' : 'must be a decimal amount');
    return '0.00000';
  }
  return canonicalAmount(text);
}

/** "500" / "500.5" → "500.00000": one spelling per value, so amounts compare as strings in workflow code. */
export function canonicalAmount(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  return `${BigInt(whole).toString()}.${fraction.padEnd(5, '0')}`;
}

function trunkStructure(p: Problems, raw: Raw, path: string): TrunkSettings {
  const d = INPUT_DEFAULTS.trunk;
  return {
    name: str(p, raw, path, 'name'),
    trunk_status: str(p, raw, path, 'trunk_status', d.trunk_status) as TrunkSettings['trunk_status'],
    secure: bool(p, raw, path, 'secure', d.secure),
    trunk_direction: str(p, raw, path, 'trunk_direction', d.trunk_direction) as TrunkSettings['trunk_direction'],
    concurrent_calls_limit: num(p, raw, path, 'concurrent_calls_limit', d.concurrent_calls_limit),
    cps_limit: num(p, raw, path, 'cps_limit', d.cps_limit),
    transport: str(p, raw, path, 'transport', d.transport) as TrunkSettings['transport'],
  };
}

/** Structure problems of a whole trunk settings object (the `retry` update's corrected trunk). */
export function trunkProblems(raw: unknown): FieldProblem[] {
  const p = new Problems();
  trunkStructure(p, isObject(raw) ? raw : {}, '');
  return p.list;
}

type StructureResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/**
 * Checks the input's structure and fills in the defaults. `customer` is required only in the first run: the
 * input carried across continue-as-new leaves the customer's details behind once the account exists.
 */
export function normalizeInput(rawInput: unknown, options: { customerRequired: boolean }): StructureResult<OnboardingInput> {
  const p = new Problems();
  if (!isObject(rawInput)) return { ok: false, problems: [{ field: '(input)', rule: 'must be an object' }] };
  const raw = rawInput;
  const version = num(p, raw, '', 'inputVersion', INPUT_VERSION);
  if (version !== INPUT_VERSION) p.add('inputVersion', `must be ${INPUT_VERSION}`);

  const customerRaw = section(p, raw, 'customer', options.customerRequired);
  const fundingRaw = section(p, raw, 'funding', true);
  const kycRaw = section(p, raw, 'kyc', false);
  const telephonyRaw = section(p, raw, 'telephony', true);
  const trunkRaw = section(p, telephonyRaw, 'trunk', true);
  const monitoringRaw = section(p, raw, 'monitoring', false);
  const advancedRaw = section(p, raw, 'advanced', false);

  const reminderRaw = kycRaw.reminderSchedule ?? INPUT_DEFAULTS.kyc.reminderSchedule;
  const reminderSchedule = Array.isArray(reminderRaw)
    ? reminderRaw.map((point: unknown, i) => {
        const pt = isObject(point) ? point : {};
        if (!isObject(point)) p.add(`kyc.reminderSchedule.${i}`, 'must be an object');
        return { trigger: 'days_before_expiry' as const, value: num(p, pt, `kyc.reminderSchedule.${i}.`, 'value', NaN) };
      })
    : (p.add('kyc.reminderSchedule', 'must be a list'), []);

  const numberRaw = telephonyRaw.number;
  let number: OnboardingInput['telephony']['number'];
  if (numberRaw !== undefined) {
    if (!isObject(numberRaw)) p.add('telephony.number', 'must be an object');
    else {
      const search = optStr(p, numberRaw, 'telephony.number.', 'search');
      number = { country: str(p, numberRaw, 'telephony.number.', 'country'), ...(search !== undefined ? { search } : {}) };
    }
  }

  const customer = options.customerRequired || raw.customer !== undefined ? customerStructure(p, customerRaw) : undefined;
  const description = optStr(p, fundingRaw, 'funding.', 'description');
  const alertWebhookUrl = optStr(p, monitoringRaw, 'monitoring.', 'alertWebhookUrl');
  const input: OnboardingInput = {
    inputVersion: INPUT_VERSION,
    customerRef: str(p, raw, '', 'customerRef'),
    ...(customer ? { customer } : {}),
    funding: {
      amount: amount(p, fundingRaw, 'funding.', 'amount'),
      currency: str(p, fundingRaw, 'funding.', 'currency'),
      ...(description !== undefined ? { description } : {}),
    },
    kyc: {
      expiresInDays: num(p, kycRaw, 'kyc.', 'expiresInDays', INPUT_DEFAULTS.kyc.expiresInDays),
      reminderSchedule,
      maxAttempts: num(p, kycRaw, 'kyc.', 'maxAttempts', INPUT_DEFAULTS.kyc.maxAttempts),
      pollInterval: duration(p, kycRaw, 'kyc.', 'pollInterval', INPUT_DEFAULTS.kyc.pollInterval),
      pollsPerRun: Math.max(1, num(p, kycRaw, 'kyc.', 'pollsPerRun', INPUT_DEFAULTS.kyc.pollsPerRun)),
    },
    telephony: { trunk: trunkStructure(p, trunkRaw, 'telephony.trunk.'), ...(number ? { number } : {}) },
    monitoring: {
      cdrPollInterval: duration(p, monitoringRaw, 'monitoring.', 'cdrPollInterval', INPUT_DEFAULTS.monitoring.cdrPollInterval),
      lowBalanceThreshold: amount(p, monitoringRaw, 'monitoring.', 'lowBalanceThreshold', INPUT_DEFAULTS.monitoring.lowBalanceThreshold),
      failedCallJump: num(p, monitoringRaw, 'monitoring.', 'failedCallJump', INPUT_DEFAULTS.monitoring.failedCallJump),
      pollsPerRun: Math.max(1, num(p, monitoringRaw, 'monitoring.', 'pollsPerRun', INPUT_DEFAULTS.monitoring.pollsPerRun)),
      ...(alertWebhookUrl !== undefined ? { alertWebhookUrl } : {}),
    },
    advanced: {
      effectSettleDelay: duration(p, advancedRaw, 'advanced.', 'effectSettleDelay', INPUT_DEFAULTS.advanced.effectSettleDelay),
      effectStartToCloseTimeout: duration(p, advancedRaw, 'advanced.', 'effectStartToCloseTimeout', INPUT_DEFAULTS.advanced.effectStartToCloseTimeout),
    },
  };
  return p.list.length ? { ok: false, problems: p.list } : { ok: true, value: input };
}

function customerStructure(p: Problems, raw: Raw): NonNullable<OnboardingInput['customer']> {
  const company = optStr(p, raw, 'customer.', 'company');
  return {
    name: str(p, raw, 'customer.', 'name'),
    email: str(p, raw, 'customer.', 'email'),
    phone: str(p, raw, 'customer.', 'phone'),
    password: str(p, raw, 'customer.', 'password'),
    country: str(p, raw, 'customer.', 'country'),
    ...(company !== undefined ? { company } : {}),
  };
}

/** The structure of an operator's corrected fields for `retry`: any subset of the customer's and the trunk's. */
export function normalizeCorrections(raw: unknown): StructureResult<RetryCorrections> {
  const p = new Problems();
  if (raw === undefined) return { ok: true, value: {} };
  if (!isObject(raw)) return { ok: false, problems: [{ field: '(args)', rule: 'must be an object' }] };
  const out: RetryCorrections = {};
  if (raw.customer !== undefined) {
    if (!isObject(raw.customer)) p.add('customer', 'must be an object');
    else {
      const c: Record<string, string> = {};
      for (const key of ['name', 'email', 'phone', 'company', 'country'] as const) {
        const v = optStr(p, raw.customer, 'customer.', key);
        if (v !== undefined) c[key] = v;
      }
      out.customer = c;
    }
  }
  if (raw.trunk !== undefined) {
    if (!isObject(raw.trunk)) p.add('trunk', 'must be an object');
    else out.trunk = raw.trunk;
  }
  return p.list.length ? { ok: false, problems: p.list } : { ok: true, value: out };
}

export interface RetryCorrections {
  customer?: Partial<Record<'name' | 'email' | 'phone' | 'company' | 'country', string>>;
  trunk?: Partial<TrunkSettings>;
}
