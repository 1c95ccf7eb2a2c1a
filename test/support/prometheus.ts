/** Scraping Prometheus endpoints in tests: the text exposition parsed into samples, and sums over them. */
import { request } from 'undici';
import { expect } from 'vitest';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples (enough of the format for these endpoints: no escaped quotes in labels). */
function parsePrometheus(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) throw new Error(`unparsable metrics line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

export async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const res = await request(url);
  const text = await res.body.text();
  expect(res.statusCode, `${url} answered ${res.statusCode}`).toBe(200);
  return { text, samples: parsePrometheus(text) };
}

/** The sum of the samples named `name` whose labels include all of `labels`. */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
