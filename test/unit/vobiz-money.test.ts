import { describe, expect, it } from 'vitest';
import { Money, MoneyError } from '../../src/vobiz/money.js';

describe('Money', () => {
  it('parses JSON numbers and 5-decimal strings to the same value', () => {
    expect(Money.parse(500.0).equals(Money.parse('500.00000'))).toBe(true);
    expect(Money.parse(0.08).toString()).toBe('0.08000');
    expect(Money.parse('23906.83000').toString()).toBe('23906.83000');
    expect(Money.parse('1003058.82').toString()).toBe('1003058.82000');
    expect(Money.parse(47750).toString()).toBe('47750.00000');
    expect(Money.parse('-12.5').toString()).toBe('-12.50000');
    expect(Money.parse(-0.00001).toString()).toBe('-0.00001');
    expect(Money.parse(500n).toString()).toBe('500.00000');
    expect(Money.parse(' 7 ').toString()).toBe('7.00000');
  });

  it('handles exponent forms produced by String(number)', () => {
    expect(Money.parse(1e21).toString()).toBe('1000000000000000000000.00000');
    expect(Money.parse(1e-5).toString()).toBe('0.00001');
    expect(Money.parse(2.5e-3).toString()).toBe('0.00250');
  });

  it('never drifts: 0.1 + 0.2 === 0.3', () => {
    expect(Money.parse(0.1).add(0.2).equals(0.3)).toBe(true);
    expect(Money.parse('0.3').subtract(0.1).subtract('0.2').isZero()).toBe(true);
    const many = Money.sum(Array.from({ length: 1000 }, () => 0.01));
    expect(many.toString()).toBe('10.00000');
  });

  it('compares', () => {
    const a = Money.parse('200.00');
    const b = Money.parse(500);
    expect(a.compare(b)).toBe(-1);
    expect(b.compare(a)).toBe(1);
    expect(a.compare('200')).toBe(0);
    expect(a.lessThan(b)).toBe(true);
    expect(b.greaterThan(a)).toBe(true);
    expect([b, a].sort((x, y) => x.compare(y)).map(String)).toEqual(['200.00000', '500.00000']);
  });

  it('converts for the wire and for JSON', () => {
    expect(Money.parse('500.00000').toNumber()).toBe(500);
    expect(Money.parse('0.08').toNumber()).toBe(0.08);
    expect(JSON.stringify({ amount: Money.parse(0.1).add(0.2) })).toBe('{"amount":"0.30000"}');
    expect(Money.parse('1234.56789').toFixed(2)).toBe('1234.56');
    expect(Money.fromUnits(123n).toString()).toBe('0.00123');
  });

  it('rejects NaN, Infinity, malformed strings and more than 5 decimals with a clear error', () => {
    expect(() => Money.parse(Number.NaN)).toThrow(MoneyError);
    expect(() => Money.parse(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => Money.parse('12abc')).toThrow(/decimal/);
    expect(() => Money.parse('')).toThrow(MoneyError);
    expect(() => Money.parse('1e5')).toThrow(MoneyError);
    expect(() => Money.parse('0.123456')).toThrow(/more than 5 decimal places/);
    expect(() => Money.parse(0.123456)).toThrow(/more than 5 decimal places/);
    expect(() => Money.parse(1e-7)).toThrow(/more than 5 decimal places/);
    // Trailing zeros are not precision.
    expect(Money.parse('1.0000000').toString()).toBe('1.00000');
    expect(Money.tryParse('nope')).toBeUndefined();
  });
});
